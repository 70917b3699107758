// RFC 6455 framing: encoding keel's frames, reading the client's.
#include "core/realtime/frames.hpp"

#include <utility>

namespace keel::realtime::frames {

namespace {

item failure(std::uint16_t code) {
  item out;
  out.what = item::kind::failed;
  out.close_code = code;
  return out;
}

constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t unsupported_data = 1003;
constexpr std::uint16_t too_big = 1009;

}  // namespace

std::string encode(opcode op, std::string_view payload) {
  std::string out;
  std::size_t n = payload.size();
  out.reserve(n + 10);
  out += static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  }
  out.append(payload);
  return out;
}

std::string encode_close(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  payload.append(reason.substr(0, 123));  // a control frame carries at most 125 bytes
  return encode(opcode::close, payload);
}

void reader::release_memory() {
  if (buffer_.empty()) std::string().swap(buffer_);
  if (message_.empty()) std::string().swap(message_);
}

std::optional<item> reader::next() {
  if (failed_) return std::nullopt;
  for (;;) {
    const auto* b = reinterpret_cast<const unsigned char*>(buffer_.data());
    std::size_t have = buffer_.size();
    if (have < 2) return std::nullopt;
    bool fin = (b[0] & 0x80) != 0;
    auto op = static_cast<opcode>(b[0] & 0x0F);
    bool masked = (b[1] & 0x80) != 0;
    std::uint64_t length = b[1] & 0x7F;
    std::size_t at = 2;
    // No extension was negotiated, so the reserved bits are 0; a client always masks.
    if ((b[0] & 0x70) != 0 || !masked) {
      failed_ = true;
      return failure(protocol_error);
    }
    if (length == 126) {
      if (have < at + 2) return std::nullopt;
      length = (std::uint64_t(b[2]) << 8) | b[3];
      at += 2;
    } else if (length == 127) {
      if (have < at + 8) return std::nullopt;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | b[2 + i];
      at += 8;
    }
    bool control = (static_cast<std::uint8_t>(op) & 0x08) != 0;
    if (control && (!fin || length > 125)) {
      failed_ = true;
      return failure(protocol_error);
    }
    // Judged on the header, before the payload is buffered. message_ never holds more than
    // max_message_, so the subtraction cannot wrap, where the sum with a 64-bit length could.
    if (!control && length > max_message_ - message_.size()) {
      failed_ = true;
      return failure(too_big);
    }
    if (have < at + 4 + length) return std::nullopt;
    const unsigned char* key = b + at;
    at += 4;
    std::string payload(reinterpret_cast<const char*>(b + at), static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
    buffer_.erase(0, at + static_cast<std::size_t>(length));

    switch (op) {
      case opcode::ping:
        return item{item::kind::ping, std::move(payload), 0};
      case opcode::pong:
        return item{item::kind::pong, std::move(payload), 0};
      case opcode::close: {
        if (payload.size() == 1) {
          failed_ = true;
          return failure(protocol_error);
        }
        std::uint16_t code = 1005;  // "no status received"
        std::string reason;
        if (payload.size() >= 2) {
          code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1]));
          reason = payload.substr(2);
        }
        failed_ = true;  // nothing is read after a close
        return item{item::kind::close, std::move(reason), code};
      }
      case opcode::binary:
        failed_ = true;
        return failure(unsupported_data);  // keel's protocol is JSON text
      case opcode::text:
        if (in_message_) {
          failed_ = true;
          return failure(protocol_error);  // a new message inside a fragmented one
        }
        if (fin) return item{item::kind::text, std::move(payload), 0};
        in_message_ = true;
        message_ = std::move(payload);
        continue;
      case opcode::continuation:
        if (!in_message_) {
          failed_ = true;
          return failure(protocol_error);
        }
        message_ += payload;
        if (!fin) continue;
        in_message_ = false;
        return item{item::kind::text, std::exchange(message_, {}), 0};
      default:
        failed_ = true;
        return failure(protocol_error);
    }
  }
}

}  // namespace keel::realtime::frames
