// Realtime beyond one connection: two keel-api instances sharing one Redis, a Redis restart in
// the middle of a stream, a consumer that stops reading, a thousand idle sockets and SIGTERM.
#include <csignal>

#include "../support/load_balancer.hpp"
#include "../support/redis_server.hpp"
#include "realtime_stack.hpp"

using namespace keel::test;
using boost::json::array;
using boost::json::object;

namespace {

std::vector<std::int64_t> ids_of(const std::vector<object>& events) {
  std::vector<std::int64_t> out;
  for (auto& e : events) out.push_back(e.at("id").to_number<std::int64_t>());
  return out;
}

double metric(api_server& api, const std::string& name) {
  auto body = api.get("/metrics").body;
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stod(body.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE(
    "behind HAProxy, an event committed through one instance reaches subscribers on "
    "both, and a Redis restart loses none of them",
    "[realtime]") {
  redis_server redis;
  rules_stack s({{"REDIS_URL", redis.url()}});
  api_server other({{"DATABASE_URL", s.api.database_url()}, {"REDIS_URL", redis.url()}});
  load_balancer haproxy({s.api.port(), other.port()});
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Across instances").at("id"));

  // Round robin puts one subscriber on each instance.
  std::vector<std::unique_ptr<live_client>> live;
  for (int i = 0; i < 2; ++i) {
    live.push_back(
        std::make_unique<live_client>(socket_spec(socket_url(haproxy.port(), ticket_for(s, ada)),
                                                  array{channel_of("rule:" + id)}, 4, 20000)));
    REQUIRE(live.back()->wait_subscribed());
  }
  CHECK(metric(s.api, "keel_realtime_connections{kind=\"websocket\"}") == 1);
  CHECK(metric(other, "keel_realtime_connections{kind=\"websocket\"}") == 1);

  auto received = [&live](std::size_t n) {
    return [&live, n](const object&) {
      return live[0]->messages("event").size() >= n && live[1]->messages("event").size() >= n;
    };
  };
  patch_title(s, ada, id, "one");  // committed on the first instance
  REQUIRE(live[0]->wait_for(received(1)));

  // Committed while Redis is away: the notices are lost, the events are in PostgreSQL.
  redis.stop();
  patch_title(s, ada, id, "two");
  patch_title(s, ada, id, "three");
  redis.start();
  REQUIRE(live[0]->wait_for(received(3), std::chrono::seconds(10)));
  patch_title(s, ada, id, "four");
  for (auto& client : live) {
    client->finish();
    INFO(client->output());
    auto events = client->messages("event");
    REQUIRE(events.size() == 4);
    auto ids = ids_of(events);
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());  // each exactly once
    int version = events[0].at("data").at("version").to_number<int>();
    for (std::size_t i = 1; i < events.size(); ++i) {
      CHECK(events[i].at("data").at("version").to_number<int>() == version + static_cast<int>(i));
    }
  }
}

TEST_CASE("without Redis, each instance delivers what it commits to its own subscribers",
          "[realtime]") {
  rules_stack s;
  api_server other({{"DATABASE_URL", s.api.database_url()}});
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "One instance").at("id"));
  live_client here(socket_spec(socket_url(s.api.port(), ticket_for(s, ada)),
                               array{channel_of("rule:" + id)}, 1, 3000));
  live_client there(socket_spec(socket_url(other.port(), ticket_for(s, ada)),
                                array{channel_of("rule:" + id)}, 1, 3000));
  REQUIRE(here.wait_subscribed());
  REQUIRE(there.wait_subscribed());
  patch_title(s, ada, id, "changed on the first");
  here.finish();
  there.finish();
  CHECK(here.messages("event").size() == 1);
  // Without a broker the other instance cannot know; its clients catch up when they resume.
  CHECK(there.messages("event").empty());
}

TEST_CASE("a consumer that stops reading is closed, and keel-api's memory stays bounded",
          "[realtime]") {
  rules_stack s;
  auto ada = s.sign_in();
  std::string mine = "user:" + ada.id;
  auto spec =
      socket_spec(socket_url(s.api.port(), ticket_for(s, ada)), array{channel_of(mine)}, 1, 30000);
  spec["pause"] = true;
  live_client paused(spec);
  REQUIRE(paused.wait_subscribed());
  const int pid = s.api.proc().pid();
  std::size_t before = status_kib(pid);

  // 40 MB of events for the channel, far past the socket buffers and the 1 MiB send queue,
  // then a change that makes the instance read and deliver them all.
  s.db.scalar("INSERT INTO events (channel, type, data) SELECT '" + mine +
              "', 'test.filler', jsonb_build_object('pad', repeat('x', 8000)) "
              "FROM generate_series(1, 5000)");
  boost::json::object body{
      {"payload", boost::json::object{{"community", boost::json::object{{"name", "Filler"}}}}}};
  REQUIRE(s.send("PUT", "/api/v1/drafts/me", &ada, &body).status == 200);

  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (metric(s.api, "keel_realtime_slow_consumers_closed_total") < 1 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(metric(s.api, "keel_realtime_slow_consumers_closed_total") == 1);
  CHECK(metric(s.api, "keel_realtime_connections{kind=\"websocket\"}") == 0);
  std::size_t after = status_kib(pid);
  INFO("resident before " << before << " KiB, after " << after << " KiB");
  // Queued whole, the events would take well over their 40 MB (each is encoded twice); bounded,
  // the growth is what one page of them in flight and the allocator's caches cost.
  CHECK(after < before + 32 * 1024);
  CHECK(s.api.get("/health").status == 200);
}

TEST_CASE(
    "a thousand live connections leave /health answering, and SIGTERM closes each with "
    "1001",
    "[realtime]") {
  constexpr int count = 1000;
  rules_stack s({{"REALTIME_MAX_CONNECTIONS_PER_USER", "2000"}, {"RATE_LIMITS", "false"}});
  auto ada = s.sign_in();
  process many("/usr/bin/env",
               {"node", realtime_tools() + "/many.mjs", socket_url(s.api.port()),
                "Bearer " + ada.token, "user:" + ada.id, std::to_string(count), "60000"},
               {{"NODE_NO_WARNINGS", "1"}});
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (many.output().find("\"open\"") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(many.output());
  REQUIRE(many.output().find("{\"open\":1000}") != std::string::npos);
  CHECK(metric(s.api, "keel_realtime_connections{kind=\"websocket\"}") == count);
  CHECK(metric(s.api, "keel_realtime_subscriptions") == count);
  INFO("keel-api resident with " << count << " sockets: " << status_kib(s.api.proc().pid())
                                 << " KiB");

  for (int i = 0; i < 20; ++i) {
    auto started = std::chrono::steady_clock::now();
    CHECK(s.api.get("/health").status == 200);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
  }

  s.api.proc().signal(SIGTERM);
  auto status = s.api.proc().wait(std::chrono::seconds(15));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  REQUIRE(many.wait(std::chrono::seconds(15)).has_value());
  INFO(many.output());
  CHECK(many.output().find("{\"closed\":1000,\"codes\":{\"1001\":1000}}") != std::string::npos);
}

TEST_CASE(
    "over rediss:// (TLS, the test's own CA in REDIS_CA_FILE), an event committed through one "
    "instance reaches a subscriber on the other",
    "[realtime][tls]") {
  test_ca ca;
  redis_server redis(ca);
  env_vars tls{{"REDIS_URL", redis.url()}, {"REDIS_CA_FILE", ca.ca_file()}};
  rules_stack s(tls);
  tls["DATABASE_URL"] = s.api.database_url();
  api_server other(tls);
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Across instances over TLS").at("id"));

  live_client on_other(socket_spec(socket_url(other.port(), ticket_for(s, ada)),
                                   array{channel_of("rule:" + id)}, 1, 20000));
  REQUIRE(on_other.wait_subscribed());
  patch_title(s, ada, id, "sealed");  // committed on the first instance
  on_other.finish();
  INFO(on_other.output());
  auto events = on_other.messages("event");
  REQUIRE(events.size() == 1);
  CHECK(str(events[0].at("data").at("rule_id")) == id);
}
