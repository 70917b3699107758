// pool::execute in libpq pipeline mode: many callers share one connection, each gets its own
// answer or its own error, timeouts and a server restart fail only what they should.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "core/db/error.hpp"
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

namespace {

db::pool_options options_for(std::string url, int size) {
  db::pool_options o;
  o.url = std::move(url);
  o.size = size;
  o.acquire_timeout = 2s;
  o.statement_timeout = 5s;
  o.connect_timeout = 2s;
  o.application_name = "keel_pipeline_test";
  return o;
}

// What a statement ended with: "ok", the unavailable code, or "error <sqlstate>".
template <class F>
async<std::string> outcome(F make) {
  try {
    co_await make();
  } catch (const keel::unavailable& e) {
    co_return e.code();
  } catch (const db::error& e) {
    co_return "error " + e.sqlstate();
  }
  co_return "ok";
}

}  // namespace

TEST_CASE("500 concurrent statements on one loop with a pool of 1 all get their own answers",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  std::vector<std::int64_t> answers(500, -1);
  std::set<std::int64_t> backends;
  keel::test::run_concurrently(loops, 500, [&](int i) -> async<void> {
    // Two statement texts, so that prepared and not-yet-prepared ones interleave.
    db::result r;
    if (i % 2 == 0) {
      r = co_await pool.query("select $1::bigint * 2, pg_backend_pid()", std::int64_t{i});
    } else {
      r = co_await pool.query("select $1::bigint * 2, pg_backend_pid(), 'odd'", std::int64_t{i});
    }
    answers[i] = r[0].get<std::int64_t>(0);
    backends.insert(r[0].get<std::int64_t>(1));
  });
  for (int i = 0; i < 500; ++i) REQUIRE(answers[i] == 2 * i);
  CHECK(backends.size() == 1);
  CHECK(pool.stats().open == 1);
  CHECK(pool.stats().waiting == 0);
}

TEST_CASE("a failing statement among many concurrent ones fails alone", "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  run_async(loops, [&] { return pool.query("create table notes (id int primary key)"); });
  std::vector<std::string> outcomes(60);
  keel::test::run_concurrently(loops, 60, [&](int i) -> async<void> {
    if (i == 10 || i == 11) {
      // The same bad text twice: its prepare fails, and so does the copy sent meanwhile.
      outcomes[i] = co_await outcome([&] { return pool.query("selec 1"); });
    } else if (i == 20) {
      outcomes[i] = co_await outcome([&] { return pool.query("select 1 / $1::int", 0); });
    } else if (i % 3 == 0) {
      // Each insert commits on its own: its neighbours' errors never roll it back.
      outcomes[i] =
          co_await outcome([&] { return pool.query("insert into notes values ($1)", i); });
    } else {
      outcomes[i] = co_await outcome([&]() -> async<void> {
        auto r = co_await pool.query("select 1 / $1::int", 1);
        if (r[0].get<std::int32_t>(0) != 1) throw std::runtime_error("wrong answer");
      });
    }
  });
  CHECK(outcomes[10] == "error 42601");
  CHECK(outcomes[11] == "error 42601");
  CHECK(outcomes[20] == "error 22012");
  int inserts = 0;
  for (int i = 0; i < 60; ++i) {
    if (i == 10 || i == 11 || i == 20) continue;
    INFO("statement " << i);
    CHECK(outcomes[i] == "ok");
    if (i % 3 == 0) ++inserts;
  }
  auto r = run_async(loops, [&] { return pool.query("select count(*) from notes"); });
  CHECK(r[0].get<std::int64_t>(0) == inserts);
  CHECK(pool.stats().open == 1);
}

TEST_CASE("a statement timeout in a pipeline fails that statement, the ones behind it succeed",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database(), 1);
  options.statement_timeout = 300ms;
  db::pool pool(loops, options);
  std::vector<std::string> outcomes(10);
  keel::test::run_concurrently(loops, 10, [&](int i) -> async<void> {
    if (i == 3) {
      outcomes[i] = co_await outcome([&] { return pool.query("select pg_sleep(5)"); });
    } else {
      outcomes[i] = co_await outcome([&] { return pool.query("select $1::int", i); });
    }
  });
  for (int i = 0; i < 10; ++i) {
    INFO("statement " << i);
    CHECK(outcomes[i] == (i == 3 ? db::statement_timeout_code : "ok"));
  }
  CHECK(pool.stats().open == 1);  // the server-side timeout does not cost the connection
}

TEST_CASE("statements do not queue behind a slow one while another connection is free",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 2));
  run_async(loops, [&] { return pool.query("select 1"); });
  std::vector<std::chrono::steady_clock::duration> took(6);
  keel::test::run_concurrently(loops, 6, [&](int i) -> async<void> {
    if (i > 0) co_await sleep_for(300ms);  // the slow one has been running for a while
    auto start = std::chrono::steady_clock::now();
    co_await pool.query(i == 0 ? "select pg_sleep(1.5)" : "select 1");
    took[i] = std::chrono::steady_clock::now() - start;
  });
  CHECK(took[0] >= 1500ms);
  for (int i = 1; i < 6; ++i) {
    INFO("statement " << i);
    CHECK(took[i] < 500ms);
  }
}

TEST_CASE("statements sent soon after a slow one go to another connection, not behind it",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 2));
  run_async(loops, [&] { return pool.query("select 1"); });
  std::vector<std::chrono::steady_clock::duration> took(6);
  keel::test::run_concurrently(loops, 6, [&](int i) -> async<void> {
    // Well past the stall threshold (10 ms) yet within the first watchdog tick, when the old
    // two-tick rule still sent them to the busy pipe.
    if (i > 0) co_await sleep_for(60ms);
    auto start = std::chrono::steady_clock::now();
    co_await pool.query(i == 0 ? "select pg_sleep(1.5)" : "select 1");
    took[i] = std::chrono::steady_clock::now() - start;
  });
  CHECK(took[0] >= 1500ms);
  for (int i = 1; i < 6; ++i) {
    INFO("statement " << i);
    CHECK(took[i] < 700ms);  // behind the slow one they would take about 1440 ms
  }
}

TEST_CASE("a server restart mid-pipeline fails the statements in flight and the pool recovers",
          "[db][pipeline][serial]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  run_async(loops, [&] { return pool.query("select 1"); });
  std::vector<std::string> outcomes(10);
  keel::test::run_concurrently(loops, 11, [&](int i) -> async<void> {
    if (i == 10) {
      co_await sleep_for(300ms);
      // Blocks this loop while pg.sh runs: the statements are on the server by now.
      keel::test::stop_postgres();
      keel::test::start_postgres();
      co_return;
    }
    outcomes[i] = co_await outcome([&] { return pool.query("select pg_sleep(1), $1::int", i); });
  });
  for (int i = 0; i < 10; ++i) {
    INFO("statement " << i);
    CHECK(outcomes[i] == db::connection_lost_code);
  }
  bool back = run_async(loops, [&]() -> async<bool> {
    for (int attempt = 0; attempt < 100; ++attempt) {
      try {
        auto r = co_await pool.query("select 2");
        co_return r[0].get<std::int32_t>(0) == 2;
      } catch (const keel::unavailable&) {
      }
      co_await sleep_for(100ms);
    }
    co_return false;
  });
  CHECK(back);
  CHECK(pool.stats().open == 1);
}

TEST_CASE("transactions and leases keep their own connection while pipelined statements run",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  run_async(loops, [&] { return pool.query("create table notes (id int primary key)"); });
  std::vector<std::string> outcomes(41);
  keel::test::run_concurrently(loops, 41, [&](int i) -> async<void> {
    if (i == 20) {
      // With a pool of 1 the pipeline hands its connection over once it drains.
      outcomes[i] = co_await outcome([&]() -> async<void> {
        auto tx = co_await pool.begin();
        co_await tx.query("insert into notes values (1)");
        co_await tx.query("insert into notes values (2)");
        co_await tx.commit();
      });
    } else {
      outcomes[i] = co_await outcome([&] { return pool.query("select $1::int", i); });
    }
  });
  for (int i = 0; i < 41; ++i) {
    INFO("statement " << i);
    CHECK(outcomes[i] == "ok");
  }
  auto r = run_async(loops, [&] { return pool.query("select count(*) from notes"); });
  CHECK(r[0].get<std::int64_t>(0) == 2);
}

TEST_CASE("statements wait for a busy connection rather than queue behind one blocked on a lock",
          "[db][pipeline]") {
  keel::runtime::event_loops loops(1);
  auto url = keel::test::fresh_database();
  db::pool pool(loops, options_for(url, 2));
  db::pool other(loops, options_for(url, 1));  // another session, as an operator's psql
  run_async(loops, [&]() -> async<void> {
    co_await pool.query("create table notes (id int primary key, v int not null)");
    co_await pool.query("insert into notes values (1, 0)");
  });
  std::vector<std::chrono::steady_clock::duration> took(7);
  keel::test::run_concurrently(loops, 8, [&](int i) -> async<void> {
    if (i == 7) {
      auto tx = co_await other.begin();
      co_await tx.query("select v from notes where id = 1 for update");
      co_await sleep_for(1500ms);
      co_await tx.rollback();
      co_return;
    }
    co_await sleep_for(i == 0 ? 50ms : i == 1 ? 60ms : 150ms);
    auto start = std::chrono::steady_clock::now();
    if (i == 0) {
      co_await pool.query("update notes set v = v + 1 where id = 1");  // waits for the lock
    } else if (i == 1) {
      auto l = co_await pool.acquire();  // the other connection, busy for a moment
      co_await l.query("select pg_sleep(0.3)");
    } else {
      co_await pool.query("select $1::int", i);
    }
    took[i] = std::chrono::steady_clock::now() - start;
  });
  CHECK(took[0] >= 1300ms);
  for (int i = 2; i < 7; ++i) {
    INFO("statement " << i);
    CHECK(took[i] < 800ms);  // behind the blocked update they would take about 1.4 s
  }
}
