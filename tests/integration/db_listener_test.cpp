// LISTEN/NOTIFY against a real PostgreSQL: delivery, timeouts, transactions, quoting, close
// and reconnecting after the server restarted.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include "core/db/error.hpp"
#include "core/db/listener.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"

using namespace std::chrono_literals;
namespace db = keel::db;
using keel::async;
using keel::test::run_async;
using keel::test::sleep_for;
using steady = std::chrono::steady_clock;

namespace {

db::pool_options options_for(std::string url) {
  db::pool_options o;
  o.url = std::move(url);
  o.size = 1;
  o.acquire_timeout = 2s;
  o.statement_timeout = 5s;
  o.connect_timeout = 2s;
  o.application_name = "keel_listener_test";
  return o;
}

}  // namespace

TEST_CASE("a NOTIFY arrives with its channel and payload within tens of milliseconds",
          "[db][listener]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database());
  db::pool pool(loops, options);
  db::listener listener(loops, 0, options);
  run_async(loops, [&]() -> async<void> {
    co_await listener.listen("jobs");
    co_await listener.listen("other");
    auto sent = steady::now();
    co_await pool.query("select pg_notify('jobs', 'x')");
    auto n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(steady::now() - sent < 100ms);
    CHECK(n->channel == "jobs");
    CHECK(n->payload == "x");
    CHECK_FALSE(n->reconnected);

    co_await pool.query("select pg_notify('unheard', 'a'), pg_notify('other', '')");
    n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(n->channel == "other");
    CHECK(n->payload.empty());
  });
  listener.close();
}

TEST_CASE("wait returns nullopt when nothing comes within the timeout", "[db][listener]") {
  keel::runtime::event_loops loops(1);
  db::listener listener(loops, 0, options_for(keel::test::fresh_database()));
  auto start = steady::now();
  auto n = run_async(loops, [&]() -> async<std::optional<db::notification>> {
    co_await listener.listen("quiet");
    co_return co_await listener.wait(150ms);
  });
  auto took = steady::now() - start;
  CHECK_FALSE(n);
  CHECK(took >= 150ms);
  CHECK(took < 1s);
}

TEST_CASE("a NOTIFY in a rolled-back transaction is never delivered, a committed one is",
          "[db][listener]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database());
  db::pool pool(loops, options);
  db::listener listener(loops, 0, options);
  run_async(loops, [&]() -> async<void> {
    co_await listener.listen("jobs");
    {
      auto tx = co_await pool.begin();
      co_await tx.query("select pg_notify('jobs', 'rolled back')");
      co_await tx.rollback();
    }
    {
      auto tx = co_await pool.begin();
      co_await tx.query("select pg_notify('jobs', 'committed')");
      // Not delivered before the commit.
      CHECK_FALSE(co_await listener.wait(100ms));
      co_await tx.commit();
    }
    auto n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(n->payload == "committed");
    CHECK_FALSE(co_await listener.wait(100ms));
  });
}

TEST_CASE("channel names are quoted: case, spaces and quotes reach the server unchanged",
          "[db][listener]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database());
  db::pool pool(loops, options);
  db::listener listener(loops, 0, options);
  const std::string channel = "Jobs \"high\"; drop table x";
  run_async(loops, [&]() -> async<void> {
    co_await listener.listen(channel);
    co_await pool.query("select pg_notify($1, 'p')", channel);
    auto n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(n->channel == channel);
    CHECK_THROWS_AS(co_await listener.listen(""), db::error);
  });
}

TEST_CASE("close ends a pending wait with nullopt", "[db][listener]") {
  keel::runtime::event_loops loops(1);
  db::listener listener(loops, 0, options_for(keel::test::fresh_database()));
  auto start = steady::now();
  bool returned_nothing = false;
  keel::test::run_concurrently(loops, 2, [&](int i) -> async<void> {
    if (i == 0) {
      co_await listener.listen("jobs");
      returned_nothing = !(co_await listener.wait(10s));
    } else {
      co_await sleep_for(100ms);
      listener.close();
    }
  });
  CHECK(returned_nothing);
  CHECK(steady::now() - start < 2s);
  CHECK_FALSE(run_async(loops, [&] { return listener.wait(10ms); }));
}

TEST_CASE("after PostgreSQL restarts, the listener reconnects, says so and hears new notifications",
          "[db][listener][serial]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database());
  db::pool pool(loops, options);
  db::listener listener(loops, 0, options);
  run_async(loops, [&]() -> async<void> {
    co_await listener.listen("jobs");
    co_await pool.query("select pg_notify('jobs', 'before')");
    auto n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(n->payload == "before");
  });

  keel::test::stop_postgres();
  // While the server is down, waiting times out quietly rather than throwing.
  auto during = run_async(loops, [&] { return listener.wait(300ms); });
  CHECK_FALSE(during);
  keel::test::start_postgres();

  run_async(loops, [&]() -> async<void> {
    auto n = co_await listener.wait(10s);
    REQUIRE(n);
    CHECK(n->reconnected);
    // The pool reconnects on its own; retry while its backoff runs.
    for (int attempt = 0; attempt < 50; ++attempt) {
      try {
        co_await pool.query("select pg_notify('jobs', 'after')");
        break;
      } catch (const keel::unavailable&) {
      }
      co_await sleep_for(100ms);
    }
    n = co_await listener.wait(2s);
    REQUIRE(n);
    CHECK(n->channel == "jobs");
    CHECK(n->payload == "after");
    CHECK_FALSE(n->reconnected);
  });
}
