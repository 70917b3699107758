// Channel names, read and written.
#include "core/realtime/channels.hpp"

namespace keel::realtime {

std::optional<channel> parse_channel(std::string_view name) {
  auto colon = name.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view kind = name.substr(0, colon);
  std::string_view id_text = name.substr(colon + 1);
  auto id = uuid::parse(id_text);
  // Only the canonical spelling, so that one channel has one name.
  if (!id || id->str() != id_text) return std::nullopt;
  if (kind == "user") return channel{channel_kind::user, *id};
  if (kind == "rule") return channel{channel_kind::rule, *id};
  return std::nullopt;
}

std::string user_channel(const uuid& user) {
  return "user:" + user.str();
}
std::string rule_channel(const uuid& rule) {
  return "rule:" + rule.str();
}

}  // namespace keel::realtime
