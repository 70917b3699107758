// Realtime over WebSocket as npm ws sees it: events committed with a change reach the
// subscribers of its channel in order, a resume replays the gap, and every way in that should
// be refused is.
#include "realtime_stack.hpp"

using namespace keel::test;
using boost::json::array;
using boost::json::object;

namespace {

std::int64_t id_of(const object& m) {
  return m.at("id").to_number<std::int64_t>();
}

}  // namespace

TEST_CASE("a rule's subscriber gets each update as it commits, and a resume replays the gap",
          "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Live rule").at("id"));
  std::string channel = "rule:" + id;

  live_client live(
      socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{channel_of(channel)}, 2));
  REQUIRE(live.wait_subscribed());
  auto first = patch_title(s, ada, id, "Live rule, second version");
  patch_title(s, ada, id, "Live rule, third version");
  live.finish();
  INFO(live.output());

  auto events = live.messages("event");
  REQUIRE(events.size() == 2);
  for (auto& e : events) {
    CHECK(str(e.at("channel")) == channel);
    CHECK(str(e.at("event")) == "rule.updated");
    CHECK(str(e.at("data").at("rule_id")) == id);
  }
  // The version the event names is the one the PATCH answered with (its ETag), then the next.
  auto version = events[0].at("data").at("version").to_number<int>();
  CHECK(first.header("etag") == "\"" + std::to_string(version) + "\"");
  CHECK(events[1].at("data").at("version").to_number<int>() == version + 1);
  CHECK(id_of(events[0]) < id_of(events[1]));
  // The event is in the table the change committed with.
  CHECK(s.count("SELECT count(*) FROM events WHERE channel = '" + channel + "'") == "2");

  // A client that saw only the first resumes after it and gets exactly the second.
  object resume{{"channel", channel}, {"since", id_of(events[0])}};
  live_client again(socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{resume}, 1));
  again.finish();
  INFO(again.output());
  auto replayed = again.messages("event");
  REQUIRE(replayed.size() == 1);
  CHECK(id_of(replayed[0]) == id_of(events[1]));
  CHECK(again.messages("reset").empty());

  // A gap older than the replay window cannot be replayed: the client is told to refetch.
  s.db.scalar("UPDATE events SET created_at = now() - interval '2 hours' WHERE id = " +
              std::to_string(id_of(events[0])));
  live_client stale(
      socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{resume}, 1, 3000));
  REQUIRE(stale.wait_for([&](const object&) { return !stale.messages("reset").empty(); }));
  CHECK(stale.messages("event").empty());
}

TEST_CASE(
    "realtime refuses missing, unknown, reused and expired tickets, a revoked session "
    "and a foreign origin",
    "[realtime]") {
  rules_stack s({{"CORS_ORIGINS", "https://app.example"}});
  auto ada = s.sign_in();
  std::string mine = "user:" + ada.id;

  auto refused = [&](const std::string& url, const std::string& origin = {}) {
    auto spec = socket_spec(url, array{channel_of(mine)}, 1, 5000);
    if (!origin.empty()) spec["origin"] = origin;
    auto c = std::make_unique<live_client>(spec);
    c->finish();
    INFO(c->output());
    REQUIRE(c->refused_status().has_value());
    return std::pair<std::int64_t, std::string>{*c->refused_status(), c->refused_code()};
  };

  CHECK(refused(socket_url(s.api.port())) ==
        std::pair<std::int64_t, std::string>{401, "ticket_required"});
  CHECK(refused(socket_url(s.api.port(), "not-a-ticket")) ==
        std::pair<std::int64_t, std::string>{401, "invalid_ticket"});

  // A ticket opens one connection, from an allowed origin.
  auto ticket = ticket_for(s, ada);
  auto spec = socket_spec(socket_url(s.api.port(), ticket), array{channel_of(mine)}, 1, 3000);
  spec["origin"] = "https://app.example";
  live_client first(spec);
  REQUIRE(first.wait_subscribed());
  CHECK(refused(socket_url(s.api.port(), ticket)) ==
        std::pair<std::int64_t, std::string>{401, "invalid_ticket"});

  // The ticket is stored hashed, never as sent.
  auto other = ticket_for(s, ada);
  CHECK(s.count("SELECT count(*) FROM realtime_tickets WHERE token_hash = '" + other + "'") == "0");

  auto expired = ticket_for(s, ada);
  s.db.scalar("UPDATE realtime_tickets SET expires_at = now() - interval '1 second'");
  CHECK(refused(socket_url(s.api.port(), expired)) ==
        std::pair<std::int64_t, std::string>{401, "invalid_ticket"});

  CHECK(refused(socket_url(s.api.port(), ticket_for(s, ada)), "https://evil.example") ==
        std::pair<std::int64_t, std::string>{403, "origin_not_allowed"});

  // A ticket outlives nothing: once its session ends it opens nothing.
  auto bob = s.sign_in();
  auto bobs = ticket_for(s, bob);
  REQUIRE(s.send("POST", "/api/v1/auth/logout", &bob).status == 204);
  CHECK(refused(socket_url(s.api.port(), bobs)) ==
        std::pair<std::int64_t, std::string>{401, "invalid_ticket"});

  // Not a WebSocket handshake at all.
  auto plain = s.api.get("/api/v1/realtime?ticket=" + ticket_for(s, ada));
  CHECK(plain.status == 426);
  CHECK(plain.header("upgrade") == "websocket");
}

TEST_CASE("a subscriber may follow only its own user channel and rules it owns or accepted",
          "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  auto eve = s.sign_in();
  auto id = str(s.publish(ada, "Shared", {bob.email}).at("id"));
  auto token = link_token(nth_mail_body(bob.email, 2));
  std::string channel = "rule:" + id;

  live_client eves(socket_spec(socket_url(s.api.port(), ticket_for(s, eve)),
                               array{channel_of(channel), channel_of("user:" + ada.id),
                                     channel_of("team:" + ada.id), channel_of("user:nobody")},
                               1, 4000));
  REQUIRE(eves.wait_for([&](const object&) { return eves.messages("error").size() >= 4; }));
  auto errors = eves.messages("error");
  CHECK(str(errors[0].at("code")) == "forbidden");
  CHECK(str(errors[1].at("code")) == "forbidden");
  CHECK(str(errors[2].at("code")) == "invalid_channel");
  CHECK(str(errors[3].at("code")) == "invalid_channel");
  CHECK(eves.messages("subscribed").empty());

  // An invited stakeholder may follow the rule once the invite is accepted, not before.
  live_client early(socket_spec(socket_url(s.api.port(), ticket_for(s, bob)),
                                array{channel_of(channel)}, 1, 3000));
  REQUIRE(early.wait_for([&](const object&) { return !early.messages("error").empty(); }));
  boost::json::object accept{{"token", token}};
  REQUIRE(s.send("POST", "/api/v1/invites/accept", &bob, &accept).status == 200);

  // The owner, following the rule, sees the acceptance; bob now follows its updates.
  live_client owner(
      socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{channel_of(channel)}, 1));
  live_client stakeholder(
      socket_spec(socket_url(s.api.port(), ticket_for(s, bob)), array{channel_of(channel)}, 1));
  REQUIRE(owner.wait_subscribed());
  REQUIRE(stakeholder.wait_subscribed());
  patch_title(s, ada, id, "Shared, changed");
  owner.finish();
  stakeholder.finish();
  INFO(stakeholder.output());
  REQUIRE(stakeholder.messages("event").size() == 1);
  CHECK(str(stakeholder.messages("event")[0].at("event")) == "rule.updated");
  REQUIRE(owner.messages("event").size() == 1);
  CHECK(str(owner.messages("event")[0].at("event")) == "rule.updated");
  // The acceptance before the owner subscribed is in the table, for a resume.
  CHECK(s.count("SELECT type FROM events WHERE channel = '" + channel + "' ORDER BY id LIMIT 1") ==
        "stakeholder.accepted");
}

TEST_CASE("an invite reaches the invited person's open connections at once", "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  live_client bobs(socket_spec(socket_url(s.api.port(), ticket_for(s, bob)),
                               array{channel_of("user:" + bob.id)}, 1));
  REQUIRE(bobs.wait_subscribed());
  auto id = str(s.publish(ada, "Join us", {bob.email, "nobody-yet@example.com"}).at("id"));
  bobs.finish();
  INFO(bobs.output());
  auto events = bobs.messages("event");
  REQUIRE(events.size() == 1);
  CHECK(str(events[0].at("event")) == "invite.received");
  CHECK(str(events[0].at("data").at("rule_id")) == id);
  // An address without an account gets the mail only.
  CHECK(s.count("SELECT count(*) FROM events WHERE type = 'invite.received'") == "1");
}

TEST_CASE("logout closes the user's live connections within 2 s, and bad messages get errors",
          "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  std::string mine = "user:" + ada.id;
  auto spec = socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{channel_of(mine)},
                          100, 15000);
  spec["send"] = array{"not json", R"({"type":"dance"})", R"({"type":"ping"})",
                       R"({"type":"subscribe","channel":")" + mine + R"(","since":-4})"};
  live_client live(spec);
  REQUIRE(live.wait_subscribed());
  REQUIRE(live.wait_for([&](const object&) { return live.messages("error").size() >= 3; }));
  auto errors = live.messages("error");
  CHECK(str(errors[0].at("code")) == "invalid_message");
  CHECK(str(errors[1].at("code")) == "unknown_type");
  CHECK(str(errors[2].at("code")) == "invalid_since");
  CHECK(live.messages("pong").size() == 1);

  auto ended = std::chrono::steady_clock::now();
  REQUIRE(s.send("POST", "/api/v1/auth/logout", &ada).status == 204);
  REQUIRE(
      live.wait_for([](const object& l) { return l.contains("close"); }, std::chrono::seconds(5)));
  auto took = std::chrono::steady_clock::now() - ended;
  CHECK(took < std::chrono::seconds(2));
  CHECK(live.close_code() == 4001);
}
