// rediss:// against a real redis-server that speaks only TLS, with a CA the test makes: the
// client's commands, certificates it must refuse, and the realtime broker's pub/sub.
#include <catch2/catch.hpp>
#include <chrono>

#include "core/realtime/broker.hpp"
#include "core/redis/client.hpp"
#include "core/redis/detail/stream.hpp"
#include "core/redis/url.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/captured_stdout.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_ca.hpp"

using namespace std::chrono_literals;
namespace redis = keel::redis;
using keel::async;
using keel::test::redis_failure_of;
using keel::test::redis_ping;
using keel::test::run_async;
using keel::test::run_command;

namespace {

redis::options tls_options(const std::string& url, const keel::test::test_ca& trusted) {
  auto o = keel::test::redis_options(url);
  o.ca_file = trusted.ca_file();
  return o;
}

// Waits (running the loops) until the broker's subscription is up, or `patience` has passed.
bool subscribed(keel::runtime::event_loops& loops, keel::realtime::broker& b,
                std::chrono::milliseconds patience = 5s) {
  return run_async(loops, [&]() -> async<bool> {
    auto until = std::chrono::steady_clock::now() + patience;
    while (!b.subscribed() && std::chrono::steady_clock::now() < until) {
      co_await keel::test::sleep_for(50ms);
    }
    co_return b.subscribed();
  });
}

}  // namespace

TEST_CASE(
    "over rediss:// with REDIS_CA_FILE naming the server's CA, commands, AUTH and SELECT work",
    "[redis][tls]") {
  keel::test::test_ca ca;
  keel::test::redis_server server(ca, {"--requirepass", "tls pass"});
  keel::runtime::event_loops loops(2);
  // By name: resolved, sent as SNI and checked against the certificate's DNS name.
  auto by_name = server.url(1, ":tls%20pass@localhost");
  redis::client db1(loops, tls_options(by_name, ca));
  // By address: checked against the certificate's IP address.
  redis::client db0(loops, tls_options(server.url(0, ":tls%20pass@127.0.0.1"), ca));
  REQUIRE(redis::parse_url(by_name)->tls);

  REQUIRE(run_command(loops, db1, {"SET", "where", "one"}).text == "OK");
  CHECK(run_command(loops, db1, {"GET", "where"}).text == "one");
  CHECK(run_command(loops, db0, {"GET", "where"}).is_nil());
  CHECK(redis_ping(loops, db0));

  // A reply of many TLS records, and many pipelined commands on both loops.
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  run_command(loops, db1, {"SET", "big", big});
  CHECK(run_command(loops, db1, {"GET", "big"}).text == big);
  std::vector<std::string> answers(400);
  keel::test::run_concurrently(loops, 400, [&](int i) -> async<void> {
    std::vector<std::string> echo{"ECHO", std::to_string(i)};
    answers[i] = (co_await db1.command(echo)).text;
  });
  for (int i = 0; i < 400; ++i) REQUIRE(answers[i] == std::to_string(i));

  run_async(loops, [&]() -> async<void> { co_await db1.close(); });
  CHECK(redis_failure_of(loops, db1, {"PING"}) == "unavailable:redis_unavailable");
}

TEST_CASE("a rediss:// server whose certificate another CA signed is refused, and the log says why",
          "[redis][tls]") {
  keel::test::test_ca ca;
  keel::test::test_ca other;
  keel::test::redis_server server(ca, {"--requirepass", "hunter2"});
  keel::runtime::event_loops loops(1);
  auto url = server.url(0, ":hunter2@127.0.0.1");
  redis::client wrong_ca(loops, tls_options(url, other));

  keel::test::captured_stdout log;
  auto started = std::chrono::steady_clock::now();
  auto failure = redis_failure_of(loops, wrong_ca, {"PING"});
  auto again = redis_failure_of(loops, wrong_ca, {"PING"});  // backing off: at once
  bool pinged = redis_ping(loops, wrong_ca);
  auto waited = std::chrono::steady_clock::now() - started;
  auto lines = log.finish();

  CHECK(failure == "unavailable:redis_unavailable");
  CHECK(again == "unavailable:redis_unavailable");
  CHECK_FALSE(pinged);
  CHECK(waited < 1s);
  INFO(lines);
  CHECK(lines.find("TLS with Redis failed; check REDIS_CA_FILE") != std::string::npos);
  // OpenSSL's reason: redis-server sends its CA along, so the chain ends in an unknown root.
  CHECK((lines.find("self-signed certificate in certificate chain") != std::string::npos ||
         lines.find("unable to get local issuer certificate") != std::string::npos));
  CHECK(lines.find("hunter2") == std::string::npos);

  // The system's CA store does not know the test's CA either.
  redis::client system_store(loops, keel::test::redis_options(url));
  CHECK(redis_failure_of(loops, system_store, {"PING"}) == "unavailable:redis_unavailable");
}

TEST_CASE("a rediss:// certificate that does not name the host is refused", "[redis][tls]") {
  keel::test::test_ca ca;
  // Reachable on 127.0.0.2 too, which the certificate does not name.
  keel::test::redis_server server(ca, {"--bind", "127.0.0.1 127.0.0.2"});
  keel::runtime::event_loops loops(1);
  redis::client right(loops, tls_options(server.url(0, "127.0.0.1"), ca));
  redis::client wrong_host(loops, tls_options(server.url(0, "127.0.0.2"), ca));
  CHECK(redis_ping(loops, right));

  keel::test::captured_stdout log;
  auto failure = redis_failure_of(loops, wrong_host, {"PING"});
  auto lines = log.finish();
  CHECK(failure == "unavailable:redis_unavailable");
  INFO(lines);
  CHECK(lines.find("IP address mismatch") != std::string::npos);
}

TEST_CASE("the realtime broker subscribes over rediss:// and its notices reach subscribers",
          "[redis][tls][realtime]") {
  keel::test::test_ca ca;
  keel::test::redis_server server(ca, {"--requirepass", "pubsub pass"});
  keel::runtime::event_loops loops(1);
  redis::client commands(loops, tls_options(server.url(0, ":pubsub%20pass@localhost"), ca));
  keel::realtime::broker a(loops, commands, nullptr);
  keel::realtime::broker b(loops, commands, nullptr);
  a.start();
  b.start();
  REQUIRE(subscribed(loops, a));
  REQUIRE(subscribed(loops, b));
  auto numsub = run_command(loops, commands, {"PUBSUB", "NUMSUB", keel::realtime::notice_channel});
  REQUIRE(numsub.elements.size() == 2);
  CHECK(numsub.elements[1].integer == 2);

  // A third subscriber over the same TLS stream reads what broker a announces.
  auto notice = run_async(loops, [&]() -> async<std::string> {
    auto where = *redis::parse_url(commands.settings().url);
    auto listener = std::make_shared<redis::detail::stream>(
        loops.loop(0), redis::detail::tls_context_for(where, commands.settings()));
    co_await listener->connect(where, 2s);
    std::string subscribe;
    redis::detail::append_command(subscribe, {"SUBSCRIBE", keel::realtime::notice_channel});
    co_await listener->write(subscribe);
    auto confirmed = co_await listener->read();
    if (confirmed.elements.empty() || confirmed.elements[0].text != "subscribe") co_return "";
    a.announce("rule:tls");
    auto message = co_await listener->read();
    listener->close();
    co_return message.elements.size() == 3 ? message.elements[2].text : "";
  });
  CHECK(notice.ends_with(" rule:tls"));

  run_async(loops, [&]() -> async<void> {
    co_await a.stop();
    co_await b.stop();
  });
  CHECK_FALSE(a.subscribed());
}

TEST_CASE("a broker that cannot verify the rediss:// server never subscribes", "[redis][tls]") {
  keel::test::test_ca ca;
  keel::test::test_ca other;
  keel::test::redis_server server(ca);
  keel::runtime::event_loops loops(1);
  redis::client commands(loops, tls_options(server.url(), other));
  keel::realtime::broker b(loops, commands, nullptr);
  keel::test::captured_stdout log;
  b.start();
  bool up = subscribed(loops, b, 1s);
  run_async(loops, [&]() -> async<void> { co_await b.stop(); });
  auto lines = log.finish();
  CHECK_FALSE(up);
  CHECK(lines.find("TLS with Redis failed") != std::string::npos);
}
