// Raw exchanges: non-blocking send and receive interleaved with poll, responses parsed as
// they complete, so a server that answers early (413, 431) is read while we still send.
#include "raw_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace keel::test {
namespace {

using clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::chrono::milliseconds since(clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
}

enum class parse_state { incomplete, done, garbled };

// One response from the front of `buffer`; `at_eof`: no more bytes will come, so a body
// without Content-Length ends here.
parse_state parse_one(std::string& buffer, bool head, bool at_eof, http_response& out,
                      std::string& garbled) {
  auto header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    if (at_eof && !buffer.empty()) {
      garbled = buffer;
      return parse_state::garbled;
    }
    return parse_state::incomplete;
  }
  std::string head_text = buffer.substr(0, header_end);
  if (head_text.size() < 12 || head_text.compare(0, 5, "HTTP/") != 0) {
    garbled = buffer;
    return parse_state::garbled;
  }
  http_response r;
  try {
    r.status = std::stoi(head_text.substr(9, 3));
  } catch (const std::exception&) {
    garbled = buffer;
    return parse_state::garbled;
  }
  auto line_end = head_text.find("\r\n");
  std::size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    auto next = head_text.find("\r\n", pos);
    if (next == std::string::npos) next = head_text.size();
    std::string line = head_text.substr(pos, next - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[lower(line.substr(0, colon))] = value;
    }
    pos = next + 2;
  }
  std::size_t body_start = header_end + 4;
  bool bodiless = head || r.status < 200 || r.status == 204 || r.status == 304;
  std::size_t length = 0;
  if (!bodiless && r.has_header("content-length")) {
    try {
      length = std::stoul(r.header("content-length"));
    } catch (const std::exception&) {
      garbled = buffer;
      return parse_state::garbled;
    }
  } else if (!bodiless) {
    // Neither length nor bodiless (keel always sends Content-Length): the body runs to EOF.
    if (!at_eof) return parse_state::incomplete;
    length = buffer.size() - body_start;
  }
  if (buffer.size() < body_start + length) {
    if (at_eof) {
      garbled = buffer;
      return parse_state::garbled;
    }
    return parse_state::incomplete;
  }
  r.body = buffer.substr(body_start, length);
  buffer.erase(0, body_start + length);
  out = std::move(r);
  return parse_state::done;
}

}  // namespace

raw_outcome raw_exchange(int port, std::string_view bytes, std::chrono::milliseconds timeout,
                         bool head) {
  raw_outcome result;
  const auto start = clock::now();
  const auto deadline = start + timeout;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  std::string_view unsent = bytes;
  bool write_open = true;
  std::string buffer;
  auto half_close = [&] {
    if (write_open) ::shutdown(fd, SHUT_WR);
    write_open = false;
  };
  if (unsent.empty()) half_close();

  auto take_responses = [&](bool at_eof) {
    for (;;) {
      http_response r;
      // Only the first answer is HEAD's: what follows answers requests pipelined behind it.
      bool bodiless = head && result.responses.empty();
      auto state = parse_one(buffer, bodiless, at_eof, r, result.garbled);
      if (state != parse_state::done) return;
      if (r.status >= 100 && r.status < 200) continue;  // 100 Continue and friends
      if (result.responses.empty()) result.first_answer = since(start);
      result.responses.push_back(std::move(r));
    }
  };

  while (!result.closed) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_open ? POLLOUT : 0)), 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer.append(chunk, static_cast<std::size_t>(n));
        take_responses(false);
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        result.closed = true;  // EOF or reset
      }
    }
    if (write_open && (p.revents & POLLOUT)) {
      ssize_t n = ::send(fd, unsent.data(), unsent.size(), MSG_NOSIGNAL);
      if (n > 0) {
        unsent.remove_prefix(static_cast<std::size_t>(n));
        if (unsent.empty()) half_close();
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        write_open = false;  // the server stopped reading (it refused the request): read on
      }
    }
  }
  if (result.closed && head && result.responses.size() == 1 && !buffer.empty() &&
      buffer.rfind("HTTP/", 0) != 0 &&
      buffer.size() ==
          std::strtoul(result.responses[0].header("content-length").c_str(), nullptr, 10)) {
    // A request that looked like HEAD but was refused as malformed: the server could not know
    // it was HEAD, sent the problem's body and closed. That body belongs to the answer.
    result.responses[0].body = std::move(buffer);
    buffer.clear();
  }
  if (result.closed) take_responses(true);
  result.elapsed = since(start);
  if (result.responses.empty()) result.first_answer = result.elapsed;
  ::close(fd);
  return result;
}

std::string escape_bytes(std::string_view bytes, std::size_t limit) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  std::size_t shown = std::min(bytes.size(), limit);
  out.reserve(shown + 16);
  for (std::size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          // A literal "\x4" followed by a hex digit would read on; "" "" splits it.
          out += "\\x";
          out += digits[c >> 4];
          out += digits[c & 0xf];
          if (i + 1 < shown && std::isxdigit(static_cast<unsigned char>(bytes[i + 1]))) {
            out += "\"\"";
          }
        }
    }
  }
  if (shown < bytes.size()) {
    out += "...(" + std::to_string(bytes.size() - shown) + " more bytes)";
  }
  return out;
}

}  // namespace keel::test
