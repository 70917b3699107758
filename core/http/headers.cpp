// Hand-parsed request headers: see headers.hpp.
#include "core/http/headers.hpp"

namespace keel::http {

std::string_view forwarded_client(std::string_view list, int hops) {
  if (hops <= 0) return {};
  for (int i = 1; i < hops; ++i) {
    auto comma = list.rfind(',');
    if (comma == std::string_view::npos) return {};
    list = list.substr(0, comma);
  }
  auto comma = list.rfind(',');
  std::string_view entry = comma == std::string_view::npos ? list : list.substr(comma + 1);
  while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
  while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
  if (entry.empty() || entry.size() > 45) return {};
  for (char c : entry) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '.' || c == ':';
    if (!ok) return {};
  }
  return entry;
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace keel::http
