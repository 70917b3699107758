// Realtime: what the API accepts and returns. Paths and field names are a contract with clients.
#pragma once
#include <boost/describe/class.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/rules.hpp"

namespace keel::realtime {

// A single-use ticket to open one WebSocket or event stream, for browsers, which cannot send
// Authorization there.
struct ticket_view {
  static constexpr std::string_view schema_name = "RealtimeTicket";
  std::string ticket;
  int expires_in = 0;  // seconds
};
BOOST_DESCRIBE_STRUCT(ticket_view, (), (ticket, expires_in))

struct socket_query {
  std::optional<std::string> ticket;
};
BOOST_DESCRIBE_STRUCT(socket_query, (), (ticket))

constexpr auto keel_rules(const socket_query*) {
  using namespace keel::dto;
  return rules(field("ticket").max_length(100).description(
      "From POST /api/v1/realtime/ticket; or send Authorization instead"));
}

struct stream_query {
  std::optional<std::string> ticket;
  std::vector<std::string> channel;
  // For a new EventSource, which cannot send Last-Event-ID (the header wins when both come).
  std::optional<std::string> last_event_id;
};
BOOST_DESCRIBE_STRUCT(stream_query, (), (ticket, channel, last_event_id))

constexpr auto keel_rules(const stream_query*) {
  using namespace keel::dto;
  return rules(field("ticket").max_length(100).description(
                   "From POST /api/v1/realtime/ticket; or send Authorization instead"),
               field("channel").min_items(1).max_items(50).description(
                   "user:<your id> or rule:<id> of a rule you own or accepted; repeatable"),
               field("last_event_id")
                   .max_length(1100)
                   .description("The id of the last event received: resumes after it"));
}

}  // namespace keel::realtime
