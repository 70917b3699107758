// Page paths to a bounded set of route labels: "/rules/123?tab=2" -> "/rules/:id".
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::web_vitals {

// Patterns such as "/", "/rules/:id", "/create/*": a literal segment matches itself, ":name"
// matches any one segment, and a final "*" matches whatever follows (nothing included).
// The first pattern that matches names the route; a path none matches is "other", so the
// labels stay the listed patterns plus one whatever clients send.
class route_patterns {
 public:
  static constexpr std::string_view other = "other";

  // Patterns are checked with problem() first (settings do); an invalid one never matches.
  explicit route_patterns(std::vector<std::string> patterns);

  // The matching pattern, or "other". The query string and fragment are ignored, and so is
  // a trailing slash.
  std::string_view match(std::string_view path) const;

  // Why `pattern` cannot be used, or nullopt when it can.
  static std::optional<std::string> problem(std::string_view pattern);

 private:
  struct pattern {
    std::string text;
    std::vector<std::string> segments;
    bool rest = false;  // ends in "*"
  };
  std::vector<pattern> patterns_;
};

}  // namespace keel::web_vitals
