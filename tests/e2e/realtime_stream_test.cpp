// Realtime over Server-Sent Events as npm eventsource sees it: a person's other session hears
// of each draft save, and Last-Event-ID resumes a stream where it stopped.
#include "realtime_stack.hpp"

using namespace keel::test;
using boost::json::array;
using boost::json::object;

namespace {

object stream_spec(const std::string& url, int events, object headers = {}) {
  return {{"kind", "sse"},
          {"url", url},
          {"headers", std::move(headers)},
          {"events", events},
          {"timeout_ms", 10000},
          {"sse_types", array{"subscribed", "reset", "close", "draft.saved", "rule.updated"}}};
}

std::string stream_path(const std::vector<std::string>& channels, const std::string& ticket = {}) {
  std::string path = "/api/v1/events?";
  for (const auto& c : channels) path += "channel=" + c + "&";
  if (!ticket.empty()) path += "ticket=" + ticket;
  return path;
}

std::string stream_url(int port, const std::vector<std::string>& channels,
                       const std::string& ticket = {}) {
  return "http://127.0.0.1:" + std::to_string(port) + stream_path(channels, ticket);
}

void save_draft(rules_stack& s, const rules_user& who, const std::string& name) {
  object body{{"payload", object{{"community", object{{"name", name}}}}}};
  auto r = s.send("PUT", "/api/v1/drafts/me", &who, &body);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

}  // namespace

TEST_CASE(
    "an event stream tells a person's other session of each draft save, and "
    "Last-Event-ID resumes after a gap",
    "[realtime]") {
  rules_stack s;
  auto phone = s.sign_in();
  auto laptop = s.sign_in_as(phone.email);
  std::string mine = "user:" + phone.id;

  live_client stream(stream_spec(stream_url(s.api.port(), {mine}, ticket_for(s, phone)), 2));
  if (!stream.wait_subscribed()) FAIL(stream.output());
  save_draft(s, laptop, "Riverside co-op");
  save_draft(s, laptop, "Riverside housing co-op");
  stream.finish();
  INFO(stream.output());
  auto saves = stream.messages("event");
  REQUIRE(saves.size() == 2);
  CHECK(str(saves[0].at("event")) == "draft.saved");
  CHECK(saves[0].at("data").at("version").to_number<int>() + 1 ==
        saves[1].at("data").at("version").to_number<int>());
  // The saving session is named, so a client can tell its own saves from another device's.
  auto laptop_session = s.count("SELECT id FROM auth_sessions WHERE user_id = '" + phone.id +
                                "' ORDER BY created_at DESC LIMIT 1");
  CHECK(str(saves[0].at("data").at("session_id")) == laptop_session);

  // A stream that stopped after the first event resumes with Last-Event-ID (with the access
  // token, as a native client reconnects) and gets only the second.
  auto first_id = str(saves[0].at("id"));
  object headers{{"Authorization", "Bearer " + phone.token}, {"Last-Event-ID", first_id}};
  live_client resumed(stream_spec(stream_url(s.api.port(), {mine}), 1, headers));
  resumed.finish();
  INFO(resumed.output());
  auto replayed = resumed.messages("event");
  REQUIRE(replayed.size() == 1);
  CHECK(str(replayed[0].at("id")) == str(saves[1].at("id")));
}

TEST_CASE("an event stream of several channels names each one's position in its ids",
          "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto rule = str(s.publish(ada, "Streamed").at("id"));
  std::vector<std::string> channels{"user:" + ada.id, "rule:" + rule};

  live_client stream(stream_spec(stream_url(s.api.port(), channels, ticket_for(s, ada)), 2));
  if (!stream.wait_subscribed(2)) FAIL(stream.output());
  save_draft(s, ada, "First");
  REQUIRE(stream.wait_for([&](const object&) { return stream.messages("event").size() >= 1; }));
  patch_title(s, ada, rule, "Streamed, changed");
  stream.finish();
  INFO(stream.output());
  auto events = stream.messages("event");
  REQUIRE(events.size() == 2);
  auto draft_id = s.count("SELECT id FROM events WHERE channel = 'user:" + ada.id + "'");
  auto rule_id = s.count("SELECT id FROM events WHERE channel = 'rule:" + rule + "'");
  CHECK(str(events[0].at("id")) == draft_id + ",0");
  CHECK(str(events[1].at("id")) == draft_id + "," + rule_id);

  // Refusals come as problems before the stream starts.
  auto bob = s.sign_in();
  auto foreign = s.api.get(stream_path({"rule:" + rule}, ticket_for(s, bob)));
  CHECK(foreign.status == 403);
  auto path = stream_path({"user:" + ada.id}, ticket_for(s, ada));
  auto malformed = s.api.get(path, {{"Last-Event-ID", "12,x"}});
  CHECK(malformed.status == 422);
  CHECK(s.api.get(path).status == 401);  // the 422 spent the ticket already
}
