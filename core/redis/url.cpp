// The redis:// and rediss:// URL grammar keel accepts, percent-decoding the credentials.
#include "core/redis/url.hpp"

#include <charconv>

namespace keel::redis {
namespace {

std::optional<int> number(std::string_view text, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<endpoint> parse_url(std::string_view url) {
  constexpr std::string_view plain = "redis://";
  constexpr std::string_view tls = "rediss://";
  endpoint e;
  e.tls = url.starts_with(tls);
  if (!e.tls && !url.starts_with(plain)) return std::nullopt;
  std::string_view rest = url.substr(e.tls ? tls.size() : plain.size());

  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = credentials.find(':');
    auto user = percent_decoded(credentials.substr(0, colon));
    auto password = percent_decoded(
        colon == std::string_view::npos ? std::string_view{} : credentials.substr(colon + 1));
    if (!user || !password) return std::nullopt;
    // redis://secret@host is read as a password, the form most providers hand out.
    if (colon == std::string_view::npos) std::swap(*user, *password);
    e.username = std::move(*user);
    e.password = std::move(*password);
  }

  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    e.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return std::nullopt;
      port = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    e.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (e.host.empty()) return std::nullopt;
  if (!port.empty()) {
    auto p = number(port, 65535);
    if (!p || *p == 0) return std::nullopt;
    e.port = *p;
  }

  if (path.size() > 1) {
    auto db = number(path.substr(1), 1 << 20);
    if (!db) return std::nullopt;
    e.database = *db;
  }
  return e;
}

}  // namespace keel::redis
