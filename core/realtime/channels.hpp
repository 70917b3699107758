// Channel names: "user:<uuid>" (one person's own notices) and "rule:<uuid>" (a rule's owner
// and accepted stakeholders). Anything else is not a channel.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/runtime/uuid.hpp"

namespace keel::realtime {

enum class channel_kind { user, rule };

struct channel {
  channel_kind kind;
  uuid id;
};

// nullopt for anything but a known kind, a colon and a canonical UUID.
std::optional<channel> parse_channel(std::string_view name);

std::string user_channel(const uuid& user);
std::string rule_channel(const uuid& rule);

}  // namespace keel::realtime
