// keel-cron and keel-worker as real processes.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "../support/database.hpp"
#include "../support/process.hpp"

using namespace keel::test;

TEST_CASE("keel-cron list names every task with a description") {
  process p(binary("keel-cron"), {"list"}, {});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
  auto out = p.output();
  CHECK(out.find("db.migrate") != std::string::npos);
  CHECK(out.find("db.status") != std::string::npos);
  CHECK(out.find("Apply pending schema migrations") != std::string::npos);
}

TEST_CASE("keel-cron run of an unknown task exits 2") {
  process p(binary("keel-cron"), {"run", "no.such.task"}, {{"DATABASE_URL", fresh_database()}});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 2);
  CHECK(p.output().find("unknown task") != std::string::npos);
}

TEST_CASE("keel-cron run NAME --help describes the task without running it") {
  process p(binary("keel-cron"), {"run", "db.migrate", "--help"}, {{"DATABASE_URL", ""}});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
  CHECK(p.output().find("advisory lock") != std::string::npos);
}

TEST_CASE("keel-cron db.status on a migrated database shows nothing pending") {
  process p(binary("keel-cron"), {"run", "db.status"},
            {{"DATABASE_URL", fresh_database()}, {"LOG_LEVEL", "warn"}});
  REQUIRE(p.wait(std::chrono::seconds(20)) == 0);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("applied  0001_uuidv7.sql") != std::string::npos);
  CHECK(out.find(" 0 pending") != std::string::npos);
}

TEST_CASE("keel-cron run fails with status 1 when the database cannot be reached") {
  process p(
      binary("keel-cron"), {"run", "db.status"},
      {{"DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"}, {"DB_ACQUIRE_TIMEOUT", "1s"}});
  auto status = p.wait(std::chrono::seconds(20));
  REQUIRE(status.has_value());
  CHECK(*status == 1);
}

TEST_CASE("keel-worker connects, waits for work and stops on SIGTERM with status 0") {
  process p(binary("keel-worker"), {}, {{"DATABASE_URL", fresh_database()}});
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = p.output().find("worker ready") != std::string::npos;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);
  auto started = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
}
