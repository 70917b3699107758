// Reading and making traceparent values (https://www.w3.org/TR/trace-context/#traceparent-header).
#include "core/runtime/trace.hpp"

#include <random>

#include "core/runtime/hex.hpp"

namespace keel::trace {
namespace {

bool lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// `n` lower-case hex digits, not all zero (the spec's invalid value).
bool valid_id(std::string_view s, std::size_t n) {
  return s.size() == n && lower_hex(s) && s.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

// Ids must be unique, not secret: a per-thread generator seeded once from the OS is enough
// and costs no system call per request.
std::string random_hex(std::size_t digits) {
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (std::uint64_t(device()) << 32) ^ device();
  }()};
  static constexpr char alphabet[] = "0123456789abcdef";
  std::string out(digits, '0');
  do {
    for (std::size_t i = 0; i < digits; i += 16) {
      std::uint64_t bits = engine();
      for (std::size_t j = i; j < digits && j < i + 16; ++j, bits >>= 4) {
        out[j] = alphabet[bits & 0xf];
      }
    }
  } while (out.find_first_not_of('0') == std::string::npos);  // all zero is invalid
  return out;
}

std::string span::traceparent() const {
  static constexpr char alphabet[] = "0123456789abcdef";
  std::string out = "00-" + trace_id + "-" + span_id + "-";
  out += alphabet[flags >> 4];
  out += alphabet[flags & 0xf];
  return out;
}

std::optional<span> parse(std::string_view h) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2): 55 characters.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may add fields after a '-'.
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-')) return std::nullopt;
  std::string_view trace_id = h.substr(3, 32);
  std::string_view parent_id = h.substr(36, 16);
  std::string_view flags = h.substr(53, 2);
  if (!valid_id(trace_id, 32) || !valid_id(parent_id, 16) || !lower_hex(flags)) {
    return std::nullopt;
  }
  return span{.trace_id = std::string(trace_id),
              .span_id = std::string(parent_id),
              .flags = static_cast<std::uint8_t>(hex::digit_value(flags[0]) * 16 +
                                                 hex::digit_value(flags[1]))};
}

span child_of(const std::optional<span>& parent) {
  if (!parent) return {.trace_id = random_hex(32), .span_id = random_hex(16), .flags = 1};
  return {.trace_id = parent->trace_id, .span_id = random_hex(16), .flags = parent->flags};
}

span continue_from(std::optional<std::string_view> traceparent) {
  return child_of(traceparent ? parse(*traceparent) : std::nullopt);
}

}  // namespace keel::trace
