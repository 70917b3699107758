// The Redis client against real redis-server processes: replies, binary safety, errors,
// concurrency, timeouts, an unreachable server, reconnecting, AUTH and SELECT.
#include <signal.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/redis/client.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/redis_server.hpp"

using namespace std::chrono_literals;
namespace redis = keel::redis;
using keel::async;
using keel::test::redis_failure_of;
using keel::test::redis_ping;

TEST_CASE("commands round-trip every kind of reply", "[redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto p = keel::test::redis_prefix();

  auto set = keel::test::run_command(loops, c, {"SET", p + "greeting", "hello"});
  CHECK(set.type == redis::reply::kind::status);
  CHECK(set.text == "OK");
  auto get = keel::test::run_command(loops, c, {"GET", p + "greeting"});
  CHECK(get.type == redis::reply::kind::string);
  CHECK(get.text == "hello");
  CHECK(keel::test::run_command(loops, c, {"GET", p + "missing"}).is_nil());
  auto incr = keel::test::run_command(loops, c, {"INCRBY", p + "n", "41"});
  CHECK(incr.type == redis::reply::kind::integer);
  CHECK(incr.integer == 41);
  keel::test::run_command(loops, c, {"RPUSH", p + "list", "a", "b", "c"});
  auto list = keel::test::run_command(loops, c, {"LRANGE", p + "list", "0", "-1"});
  REQUIRE(list.type == redis::reply::kind::array);
  REQUIRE(list.elements.size() == 3);
  CHECK(list.elements[2].text == "c");
  CHECK(redis_ping(loops, c));
  keel::test::run_command(loops, c, {"DEL", p + "greeting", p + "n", p + "list"});
}

TEST_CASE("arguments are binary-safe: NUL bytes, CRLF, spaces and protocol characters survive",
          "[redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  std::string key = keel::test::redis_prefix() + std::string("k\0ey \r\n", 7);
  std::string value("\0\r\n*1\r\n$3\r\nDEL %s %b \xff end", 27);
  REQUIRE(value.size() == 27);
  keel::test::run_command(loops, c, {"SET", key, value});
  auto back = keel::test::run_command(loops, c, {"GET", key});
  CHECK(back.text == value);
  CHECK(back.text.size() == 27);
  CHECK(keel::test::run_command(loops, c, {"STRLEN", key}).integer == 27);
  keel::test::run_command(loops, c, {"DEL", key});
}

TEST_CASE("error replies throw redis::error with Redis's error code", "[redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto p = keel::test::redis_prefix();
  keel::test::run_command(loops, c, {"SET", p + "text", "not a number"});
  CHECK(redis_failure_of(loops, c, {"INCR", p + "text"}) == "redis:ERR");
  CHECK(redis_failure_of(loops, c, {"LPUSH", p + "text", "x"}) == "redis:WRONGTYPE");
  CHECK(redis_failure_of(loops, c, {"NO_SUCH_COMMAND"}) == "redis:ERR");
  // The connection is still good after errors.
  CHECK(keel::test::run_command(loops, c, {"GET", p + "text"}).text == "not a number");
  keel::test::run_command(loops, c, {"DEL", p + "text"});
}

TEST_CASE("800 concurrent commands on 2 loops each get their own reply", "[redis]") {
  keel::runtime::event_loops loops(2);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto p = keel::test::redis_prefix();
  std::vector<std::string> answers(800);
  keel::test::run_concurrently(loops, 800, [&](int i) -> async<void> {
    std::vector<std::string> echo{"ECHO", p + std::to_string(i)};
    auto r = co_await c.command(echo);
    answers[i] = r.text;
    std::vector<std::string> incr{"INCR", p + "count"};
    co_await c.command(incr);
  });
  for (int i = 0; i < 800; ++i) REQUIRE(answers[i] == p + std::to_string(i));
  CHECK(keel::test::run_command(loops, c, {"GET", p + "count"}).text == "800");
  keel::test::run_command(loops, c, {"DEL", p + "count"});
}

TEST_CASE("a large reply (several reads) arrives whole", "[redis]") {
  keel::runtime::event_loops loops(1);
  redis::client c(loops, keel::test::redis_options(keel::test::redis_url()));
  auto key = keel::test::redis_prefix() + "big";
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  keel::test::run_command(loops, c, {"SET", key, big});
  CHECK(keel::test::run_command(loops, c, {"GET", key}).text == big);
  keel::test::run_command(loops, c, {"DEL", key});
}

TEST_CASE("an unreachable server fails fast with unavailable, and ping answers false", "[redis]") {
  keel::runtime::event_loops loops(1);
  int port = keel::test::free_port();  // nothing listens there
  redis::client c(loops, keel::test::redis_options("redis://127.0.0.1:" + std::to_string(port)));
  auto started = std::chrono::steady_clock::now();
  CHECK(redis_failure_of(loops, c, {"PING"}) == "unavailable:redis_unavailable");
  CHECK(redis_failure_of(loops, c, {"PING"}) == "unavailable:redis_unavailable");  // backing off
  CHECK_FALSE(redis_ping(loops, c));
  CHECK(std::chrono::steady_clock::now() - started < 500ms);
}

TEST_CASE("a server that stops answering times out the command, and the client recovers",
          "[redis][serial]") {
  keel::test::redis_server server;
  keel::runtime::event_loops loops(1);
  auto o = keel::test::redis_options(server.url());
  o.command_timeout = 300ms;
  redis::client c(loops, o);
  REQUIRE(redis_ping(loops, c));
  ::kill(server.pid(), SIGSTOP);
  auto started = std::chrono::steady_clock::now();
  auto failure = redis_failure_of(loops, c, {"PING"});
  auto waited = std::chrono::steady_clock::now() - started;
  ::kill(server.pid(), SIGCONT);
  CHECK(failure == "unavailable:redis_timeout");
  CHECK(waited >= 250ms);
  CHECK(waited < 1s);
  bool back = false;
  for (int i = 0; i < 50 && !back; ++i) {
    back = redis_ping(loops, c);
    if (!back) std::this_thread::sleep_for(100ms);
  }
  CHECK(back);
}

TEST_CASE("after Redis restarts, the same client reconnects", "[redis][serial]") {
  keel::test::redis_server server;
  keel::runtime::event_loops loops(2);
  redis::client c(loops, keel::test::redis_options(server.url()));
  REQUIRE(keel::test::run_command(loops, c, {"SET", "k", "before"}).text == "OK");
  server.stop();
  auto started = std::chrono::steady_clock::now();
  CHECK(redis_failure_of(loops, c, {"GET", "k"}) == "unavailable:redis_unavailable");
  CHECK_FALSE(redis_ping(loops, c));
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  server.start();
  bool back = false;
  for (int i = 0; i < 50 && !back; ++i) {
    back = redis_ping(loops, c);
    if (!back) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(back);
  CHECK(keel::test::run_command(loops, c, {"SET", "k", "after"}).text == "OK");
  CHECK(keel::test::run_command(loops, c, {"GET", "k"}).text == "after");
}

TEST_CASE("the password and database of the URL are used, and a wrong password is refused",
          "[redis]") {
  keel::test::redis_server server({"--requirepass", "s3cret pass"});
  keel::runtime::event_loops loops(1);
  std::string base = "redis://:s3cret%20pass@127.0.0.1:" + std::to_string(server.port());
  redis::client db1(loops, keel::test::redis_options(base + "/1"));
  redis::client db0(loops, keel::test::redis_options(base + "/0"));
  REQUIRE(keel::test::run_command(loops, db1, {"SET", "where", "one"}).text == "OK");
  CHECK(keel::test::run_command(loops, db1, {"GET", "where"}).text == "one");
  CHECK(keel::test::run_command(loops, db0, {"GET", "where"}).is_nil());

  redis::client wrong(
      loops,
      keel::test::redis_options("redis://:nope@127.0.0.1:" + std::to_string(server.port()) + "/0"));
  auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(redis_failure_of(loops, wrong, {"GET", "where"}).empty());
  CHECK_FALSE(redis_ping(loops, wrong));
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}
