// The migration runner against a real PostgreSQL: order, bookkeeping, checksums, failures, locking.
#include <catch2/catch.hpp>

#include "core/db/error.hpp"
#include "core/db/migrations.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"

using namespace std::chrono_literals;
namespace db = keel::db;
using keel::async;
using keel::test::run_async;
using names = std::vector<std::string>;

namespace {

db::pool_options options_for(std::string url) {
  db::pool_options o;
  o.url = std::move(url);
  o.size = 2;
  return o;
}

std::vector<db::migration_file> two_files() {
  // Listed out of order on purpose: the name decides.
  return {{"0002_b.sql",
           "create table b (a_id int references a (id));\n"
           "insert into a values (2);"},
          {"0001_a.sql", "create table a (id int primary key);\ninsert into a values (1);"}};
}

}  // namespace

TEST_CASE("migrate applies pending files in name order and records each with its checksum",
          "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  auto files = two_files();
  CHECK(run_async(loops, [&] { return db::migrate(pool, files); }) ==
        names{"0001_a.sql", "0002_b.sql"});
  auto rows = run_async(loops, [&] {
    return pool.query(
        "select name, checksum from schema_migrations where name like '000%' order by name");
  });
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].get<std::string>(0) == "0001_a.sql");
  CHECK(rows[0].get<std::string>(1).size() == 64);
  auto a = run_async(loops, [&] { return pool.query("select count(*) from a"); });
  CHECK(a[0].get<std::int64_t>(0) == 2);

  auto status = run_async(loops, [&] { return db::migration_status(pool, files); });
  REQUIRE(status.size() == 2);
  CHECK(status[0].name == "0001_a.sql");
  CHECK(status[0].applied);
  CHECK(status[0].applied_at.has_value());
}

TEST_CASE("the checksum recorded is the SHA-256 hex of the file", "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  std::vector<db::migration_file> files{{"0001_x.sql", "select 1;"}};
  run_async(loops, [&] { return db::migrate(pool, files); });
  auto r = run_async(loops, [&] {
    return pool.query(
        "select checksum = encode(sha256(convert_to($1, 'UTF8')), 'hex') from schema_migrations "
        "where name = '0001_x.sql'",
        "select 1;");
  });
  CHECK(r[0].get<bool>(0));
}

TEST_CASE("a second migrate applies nothing", "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  auto files = two_files();
  run_async(loops, [&] { return db::migrate(pool, files); });
  CHECK(run_async(loops, [&] { return db::migrate(pool, files); }).empty());
  // A new file is then the only one applied.
  files.push_back({"0003_c.sql", "create table c (id int);"});
  CHECK(run_async(loops, [&] { return db::migrate(pool, files); }) == names{"0003_c.sql"});
}

TEST_CASE("pending files show as not applied in migration_status", "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  auto files = two_files();
  auto status = run_async(loops, [&] { return db::migration_status(pool, files); });
  REQUIRE(status.size() == 2);
  CHECK_FALSE(status[0].applied);
  CHECK_FALSE(status[1].applied_at);
}

TEST_CASE("an applied file whose content changed is an error naming the file", "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  auto files = two_files();
  run_async(loops, [&] { return db::migrate(pool, files); });
  files[1].sql += "\n-- edited";  // 0001_a.sql
  files.push_back({"0003_c.sql", "create table c (id int);"});
  CHECK_THROWS_WITH(run_async(loops, [&] { return db::migrate(pool, files); }),
                    Catch::Contains("0001_a.sql"));
  CHECK_THROWS_AS(run_async(loops, [&] { return db::migration_status(pool, files); }), db::error);
  // Nothing else was applied after the mismatch was found.
  auto c = run_async(loops, [&] { return pool.query("select to_regclass('c') is null"); });
  CHECK(c[0].get<bool>(0));
}

TEST_CASE("a failing file rolls back only itself and names itself", "[migrations]") {
  keel::runtime::event_loops loops(1);
  db::pool pool(loops, options_for(keel::test::empty_database()));
  std::vector<db::migration_file> files{
      {"0001_ok.sql", "create table ok (id int);"},
      {"0002_bad.sql", "create table half (id int);\nselect 1 / 0;"},
      {"0003_never.sql", "create table never (id int);"}};
  std::string sqlstate;
  std::string message;
  try {
    run_async(loops, [&] { return db::migrate(pool, files); });
  } catch (const db::error& e) {
    sqlstate = e.sqlstate();
    message = e.what();
  }
  CHECK(sqlstate == "22012");
  CHECK_THAT(message, Catch::Contains("0002_bad.sql"));
  auto r = run_async(loops, [&] {
    return pool.query(
        "select to_regclass('ok') is not null, to_regclass('half') is null,"
        "       to_regclass('never') is null,"
        "       (select array_agg(name order by name)::text from schema_migrations"
        "         where name like '000%')");
  });
  CHECK(r[0].get<bool>(0));
  CHECK(r[0].get<bool>(1));
  CHECK(r[0].get<bool>(2));
  CHECK(r[0].get<std::string>(3) == "{0001_ok.sql}");
  // Fixed file: the run resumes where it stopped.
  files[1].sql = "create table half (id int);";
  CHECK(run_async(loops, [&] { return db::migrate(pool, files); }) ==
        names{"0002_bad.sql", "0003_never.sql"});
}

TEST_CASE("two concurrent migrators serialize and apply each file once", "[migrations]") {
  keel::runtime::event_loops loops(2);
  auto url = keel::test::empty_database();
  db::pool first(loops, options_for(url));
  db::pool second(loops, options_for(url));
  std::vector<db::migration_file> files{
      {"0001_slow.sql", "create table slow (id int);\nselect pg_sleep(0.5);"},
      {"0002_next.sql", "insert into slow values (1);"}};
  std::vector<names> applied(2);
  keel::test::run_concurrently(loops, 2, [&](int i) -> async<void> {
    applied[i] = co_await db::migrate(i == 0 ? first : second, files);
  });
  CHECK(applied[0].size() + applied[1].size() == 2);
  CHECK((applied[0].empty() || applied[1].empty()));
  auto r = run_async(loops, [&] { return first.query("select count(*) from slow"); });
  CHECK(r[0].get<std::int64_t>(0) == 1);
}
