// Client messages of the realtime WebSocket: see messages.hpp.
#include "core/realtime/messages.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <utility>

namespace keel::realtime {
namespace {

client_message refused(std::string_view code, std::string channel_name = {}) {
  client_message m;
  m.error = code;
  m.channel_name = std::move(channel_name);
  return m;
}

}  // namespace

client_message parse_client_message(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(text, ec);
  const boost::json::object* m = parsed.if_object();
  const boost::json::string* type =
      m != nullptr ? m->contains("type") ? m->at("type").if_string() : nullptr : nullptr;
  if (ec || type == nullptr) return refused("invalid_message");
  client_message out;
  if (*type == "ping") {
    out.what = client_message::kind::ping;
    return out;
  }
  if (*type != "subscribe" && *type != "unsubscribe") return refused("unknown_type");
  const boost::json::string* name = m->contains("channel") ? m->at("channel").if_string() : nullptr;
  auto target = name != nullptr ? parse_channel(*name) : std::nullopt;
  if (!target) return refused("invalid_channel");
  out.channel_name = std::string(*name);
  out.target = *target;
  if (*type == "unsubscribe") {
    out.what = client_message::kind::unsubscribe;
    return out;
  }
  if (auto it = m->find("since"); it != m->end() && !it->value().is_null()) {
    const auto* number = it->value().if_int64();
    if (number == nullptr || *number < 0) return refused("invalid_since", out.channel_name);
    out.since = *number;
  }
  out.what = client_message::kind::subscribe;
  return out;
}

}  // namespace keel::realtime
