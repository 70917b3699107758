// Matching paths segment by segment against the configured patterns.
#include "core/web_vitals/route_patterns.hpp"

#include <utility>

namespace keel::web_vitals {
namespace {

// "/a/b/" -> {"a", "b"}; "/" -> {}. Empty segments ("//") are kept, so they match nothing
// but a ":param" or "*".
std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.ends_with('/')) path.remove_suffix(1);
  if (path.empty()) return out;
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

route_patterns::route_patterns(std::vector<std::string> patterns) {
  for (auto& text : patterns) {
    if (problem(text)) continue;
    pattern p;
    for (auto segment : segments_of(text)) p.segments.emplace_back(segment);
    if (!p.segments.empty() && p.segments.back() == "*") {
      p.segments.pop_back();
      p.rest = true;
    }
    p.text = std::move(text);
    patterns_.push_back(std::move(p));
  }
}

std::string_view route_patterns::match(std::string_view path) const {
  path = path.substr(0, path.find_first_of("?#"));
  if (!path.starts_with('/')) return other;
  auto segments = segments_of(path);
  for (const auto& p : patterns_) {
    if (segments.size() < p.segments.size()) continue;
    if (!p.rest && segments.size() != p.segments.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < p.segments.size() && same; ++i) {
      const std::string& want = p.segments[i];
      same = want.starts_with(':') ? !segments[i].empty() : segments[i] == want;
    }
    if (same) return p.text;
  }
  return other;
}

std::optional<std::string> route_patterns::problem(std::string_view pattern) {
  if (!pattern.starts_with('/')) return "must start with /";
  if (pattern.find_first_of("?#\"\\{}") != std::string_view::npos) {
    return "must not hold ?, #, quotes, backslashes or braces";
  }
  auto segments = segments_of(pattern);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string_view s = segments[i];
    if (s.empty()) return "must not hold an empty segment";
    if (s == ":") return "names no parameter after ':'";
    if (s.find('*') != std::string_view::npos && (s != "*" || i + 1 != segments.size())) {
      return "may hold * only as its whole last segment";
    }
  }
  return std::nullopt;
}

}  // namespace keel::web_vitals
