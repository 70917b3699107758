// The connection pool against a real PostgreSQL: concurrency, timeouts, transactions, decoding,
// prepared statements and reconnecting after the server went away.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
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
  o.application_name = "keel_db_test";
  return o;
}

// The code of the keel::unavailable the awaitable throws; "" when it succeeds or throws another.
template <class F>
async<std::string> unavailable_code(F make) {
  try {
    co_await make();
  } catch (const keel::unavailable& e) {
    co_return e.code();
  } catch (const std::exception&) {
    co_return "other error";
  }
  co_return "";
}

}  // namespace

TEST_CASE("400 concurrent queries over 4 connections on 2 loops all get their own answers",
          "[db]") {
  keel::runtime::event_loops loops(2);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 4));
  std::vector<std::int64_t> answers(400, -1);
  std::vector<std::int64_t> backends(400, 0);
  keel::test::run_concurrently(loops, 400, [&](int i) -> async<void> {
    auto r = co_await pool.query("select $1::bigint * 2, pg_backend_pid()", std::int64_t{i});
    answers[i] = r[0].get<std::int64_t>(0);
    backends[i] = r[0].get<std::int64_t>(1);
  });
  for (int i = 0; i < 400; ++i) REQUIRE(answers[i] == 2 * i);
  CHECK(std::set<std::int64_t>(backends.begin(), backends.end()).size() <= 4);
  auto stats = pool.stats();
  CHECK(stats.size == 4);
  CHECK(stats.open <= 4);
  CHECK(stats.idle == stats.open);
  CHECK(stats.waiting == 0);
}

TEST_CASE("waiting longer than acquire_timeout gives unavailable with pool_timeout_code", "[db]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database(), 1);
  options.acquire_timeout = 200ms;
  db::pool pool(loops, options);
  run_async(loops, [&]() -> async<void> {
    auto held = co_await pool.acquire();
    auto start = std::chrono::steady_clock::now();
    auto code = co_await unavailable_code([&] { return pool.query("select 1"); });
    CHECK(code == db::pool_timeout_code);
    CHECK(std::chrono::steady_clock::now() - start >= 190ms);
  });
  // Once the lease is back, the pool serves again.
  auto r = run_async(loops, [&] { return pool.query("select 7"); });
  CHECK(r[0].get<std::int32_t>(0) == 7);
}

TEST_CASE("a waiter gets the connection as soon as a lease is returned", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  std::vector<int> order;
  keel::test::run_concurrently(loops, 3, [&](int i) -> async<void> {
    auto l = co_await pool.acquire();
    order.push_back(i);
    co_await sleep_for(20ms);
  });
  CHECK(order == std::vector<int>{0, 1, 2});  // FIFO
}

TEST_CASE("a statement past statement_timeout gives statement_timeout_code and the pool recovers",
          "[db]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database(), 1);
  options.statement_timeout = 300ms;
  db::pool pool(loops, options);
  auto code = run_async(
      loops, [&] { return unavailable_code([&] { return pool.query("select pg_sleep(5)"); }); });
  CHECK(code == db::statement_timeout_code);
  auto r = run_async(loops, [&] { return pool.query("select 'still here'::text"); });
  CHECK(r[0].get<std::string>(0) == "still here");
  CHECK(pool.stats().open == 1);  // a server-side timeout does not cost the connection
}

TEST_CASE("the client-side deadline ends a statement the server does not stop in time", "[db]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database(), 1);
  options.statement_timeout = 200ms;
  db::pool pool(loops, options);
  auto start = std::chrono::steady_clock::now();
  auto code = run_async(loops, [&]() -> async<std::string> {
    auto l = co_await pool.acquire();
    co_await l.query("set statement_timeout = 0");  // the server would now wait forever
    co_return co_await unavailable_code([&] { return l.query("select pg_sleep(30)"); });
  });
  CHECK(code == db::statement_timeout_code);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  auto r = run_async(loops, [&] { return pool.query("select 1"); });
  CHECK(r[0].get<std::int32_t>(0) == 1);
}

TEST_CASE("a transaction that is not committed is rolled back, a committed one stays", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  run_async(loops, [&]() -> async<void> {
    co_await pool.query("create table notes (id int primary key, body text not null)");
    {
      auto tx = co_await pool.begin();
      co_await tx.query("insert into notes values ($1, $2)", std::int32_t{1}, "abandoned");
    }  // destroyed without commit()
    {
      auto tx = co_await pool.begin();
      co_await tx.query("insert into notes values ($1, $2)", std::int32_t{2}, "kept");
      co_await tx.commit();
    }
    {
      auto tx = co_await pool.begin();
      co_await tx.query("insert into notes values ($1, $2)", std::int32_t{3}, "rolled back");
      co_await tx.rollback();
    }
    auto rows = co_await pool.query("select id from notes order by id");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].get<std::int32_t>(0) == 2);
  });
}

TEST_CASE("committing a transaction in which a statement failed throws and keeps nothing", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  std::string sqlstate;
  run_async(loops, [&]() -> async<void> {
    co_await pool.query("create table notes (id int primary key)");
    auto tx = co_await pool.begin();
    co_await tx.query("insert into notes values (1)");
    try {
      co_await tx.query("insert into notes values (1)");
    } catch (const db::error&) {
    }
    try {
      co_await tx.commit();
    } catch (const db::error& e) {
      sqlstate = e.sqlstate();
    }
    auto rows = co_await pool.query("select count(*) from notes");
    CHECK(rows[0].get<std::int64_t>(0) == 0);
  });
  CHECK(sqlstate == "25P02");
}

TEST_CASE("fields decode into text, int, bool, double, uuid, timestamptz, jsonb and NULL", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  auto at = keel::parse_timestamp("2026-11-21T15:04:05.123456Z").value();
  auto id = keel::uuid::parse("0190f3a8-7b2c-7def-8123-456789abcdef").value();
  auto r = run_async(loops, [&] {
    return pool.query(
        "select $1::text, $2::int, $3::bigint, $4::bool, $5::float8, $6::uuid, $7::timestamptz,"
        "       $8::jsonb, null::text, $9::text",
        "héllo 'quoted'", std::int32_t{-42}, std::int64_t{9'000'000'000}, true, 2.5, id, at,
        boost::json::value{{"a", 1}}, std::optional<std::string>{});
  });
  REQUIRE(r.size() == 1);
  auto row = r[0];
  CHECK(row.get<std::string>(0) == "héllo 'quoted'");
  CHECK(row.get<std::int32_t>(1) == -42);
  CHECK(row.get<std::int64_t>(2) == 9'000'000'000);
  CHECK(row.get<bool>(3));
  CHECK(row.get<double>(4) == 2.5);
  CHECK(row.get<keel::uuid>(5) == id);
  CHECK(row.get<keel::timestamp>(6) == at);
  CHECK(row.get<boost::json::value>(7).at("a").as_int64() == 1);
  CHECK_FALSE(row.get<std::optional<std::string>>(8));
  CHECK(row.is_null(9));
  CHECK_THROWS_AS(row.get<std::string>(8), db::error);
  CHECK_THROWS_AS(row.get<std::int32_t>(0), db::error);
  CHECK_THROWS_AS(row.text(10), db::error);
  CHECK(r.column_name(0) == "text");
}

TEST_CASE("a timestamptz in a non-UTC session zone still decodes to the same instant", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  auto at = keel::parse_timestamp("2026-11-21T15:04:05Z").value();
  auto r = run_async(loops, [&]() -> async<db::result> {
    auto l = co_await pool.acquire();
    co_await l.query("set time zone 'Asia/Kolkata'");
    co_return co_await l.query("select $1::timestamptz", at);
  });
  CHECK(r[0].get<keel::timestamp>(0) == at);
}

TEST_CASE("a unique violation is a db::error with sqlstate 23505 and affected rows count", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 2));
  run_async(loops, [&]() -> async<void> {
    co_await pool.query("create table people (email text unique)");
    auto inserted = co_await pool.query("insert into people values ($1), ($2)", "a@x", "b@x");
    CHECK(inserted.affected_rows() == 2);
    bool thrown = false;
    try {
      co_await pool.query("insert into people values ($1)", "a@x");
    } catch (const db::error& e) {
      thrown = true;
      CHECK(e.sqlstate() == "23505");
      CHECK(e.is_unique_violation());
      CHECK(std::string(e.what()).find("people_email_key") != std::string::npos);
    }
    CHECK(thrown);
    // A syntax error is an error too, and the connection stays usable.
    CHECK_THROWS_AS(co_await pool.query("selec 1"), db::error);
    auto r = co_await pool.query("select count(*) from people");
    CHECK(r[0].get<std::int64_t>(0) == 2);
  });
}

TEST_CASE("statements are prepared once per connection, and never in pgbouncer_mode", "[db]") {
  auto url = keel::test::fresh_database();
  for (bool pgbouncer : {false, true}) {
    INFO("pgbouncer_mode " << pgbouncer);
    keel::runtime::event_loops loops(1);
    auto options = options_for(url, 1);
    options.pgbouncer_mode = pgbouncer;
    db::pool pool(loops, options);
    auto prepared = run_async(loops, [&]() -> async<std::int64_t> {
      for (std::int64_t i = 0; i < 3; ++i) {
        auto r = co_await pool.query("select $1::bigint + 1", i);
        CHECK(r[0].get<std::int64_t>(0) == i + 1);
      }
      auto tx = co_await pool.begin();
      co_await tx.query("select $1::bigint + 1", std::int64_t{5});
      co_await tx.commit();
      auto r = co_await pool.query("select count(*)::bigint from pg_prepared_statements");
      co_return r[0].get<std::int64_t>(0);
    });
    CHECK(prepared == (pgbouncer ? 0 : 2));
  }
}

TEST_CASE("ping answers true against a live server", "[db]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::fresh_database(), 1));
  CHECK(run_async(loops, [&] { return pool.ping(2s); }));
  run_async(loops, [&] { return pool.close(); });
  CHECK(pool.stats().open == 0);
  CHECK_FALSE(run_async(loops, [&] { return pool.ping(2s); }));
}

TEST_CASE("after PostgreSQL restarts, the same pool reconnects", "[db][serial]") {
  keel::runtime::event_loops loops(1);
  auto options = options_for(keel::test::fresh_database(), 2);
  options.connect_timeout = 2s;
  options.acquire_timeout = 1s;
  db::pool pool(loops, options);
  auto before = run_async(loops, [&] { return pool.query("select 1"); });
  CHECK(before[0].get<std::int32_t>(0) == 1);

  keel::test::stop_postgres();
  for (int i = 0; i < 3; ++i) {
    auto code =
        run_async(loops, [&] { return unavailable_code([&] { return pool.query("select 1"); }); });
    CHECK((code == db::connection_lost_code || code == db::pool_timeout_code));
  }
  CHECK_FALSE(run_async(loops, [&] { return pool.ping(1s); }));
  keel::test::start_postgres();

  // Backoff is at most 2 s, so the pool is back well within 10 s.
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
}
