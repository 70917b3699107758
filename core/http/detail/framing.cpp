// Framing checks on parsed request headers: see framing.hpp.
#include "core/http/detail/framing.hpp"

#include <boost/beast/core/string.hpp>

namespace keel::http::detail {
namespace {

namespace bhttp = boost::beast::http;

constexpr rejection bad_transfer_encoding{
    400, "bad_transfer_encoding",
    "Transfer-Encoding must end in a single chunked coding, on HTTP/1.1 and without "
    "Content-Length."};
constexpr rejection unsupported_coding{501, "unsupported_transfer_coding",
                                       "Only the chunked transfer coding is supported."};
constexpr rejection bad_host{400, "bad_host",
                             "An HTTP/1.1 request needs exactly one valid Host header."};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The codings of every Transfer-Encoding line, in order, judged as a whole.
const rejection* transfer_encoding_problem(const request_message& m) {
  auto [first, last] = m.equal_range(bhttp::field::transfer_encoding);
  if (first == last) return nullptr;
  if (m.version() < 11 || m.find(bhttp::field::content_length) != m.end()) {
    return &bad_transfer_encoding;
  }
  int codings = 0, chunked = 0;
  bool chunked_last = false;
  for (auto it = first; it != last; ++it) {
    std::string_view list = it->value();
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view coding = trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      if (coding.empty()) continue;  // empty list elements are allowed and mean nothing
      ++codings;
      chunked_last = boost::beast::iequals(coding, "chunked");
      if (chunked_last) ++chunked;
    }
  }
  if (!chunked_last || chunked != 1) return &bad_transfer_encoding;
  if (codings > 1) return &unsupported_coding;  // gzip, chunked: we do not decode gzip
  return nullptr;
}

bool valid_host(std::string_view host) {
  for (unsigned char c : host) {
    if (c <= 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '@') return false;
  }
  return true;
}

const rejection* host_problem(const request_message& m) {
  auto [first, last] = m.equal_range(bhttp::field::host);
  auto count = std::distance(first, last);
  if (count > 1 || (count == 0 && m.version() >= 11)) return &bad_host;
  if (count == 1 && !valid_host(first->value())) return &bad_host;
  return nullptr;
}

}  // namespace

bool has_obs_fold(std::string_view header_block) {
  for (auto at = header_block.find("\r\n"); at != std::string_view::npos;
       at = header_block.find("\r\n", at + 2)) {
    if (at + 2 < header_block.size() &&
        (header_block[at + 2] == ' ' || header_block[at + 2] == '\t')) {
      return true;
    }
  }
  return false;
}

const rejection* framing_problem(const request_message& message) {
  if (auto* why = transfer_encoding_problem(message)) return why;
  return host_problem(message);
}

}  // namespace keel::http::detail
