// keel-cron's run bookkeeping against a real PostgreSQL: locks, cron_runs rows, exit statuses.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>

#include "core/cron/runner.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"

using namespace std::chrono_literals;
namespace cron = keel::cron;
namespace db = keel::db;
using keel::async;
using keel::test::run_async;
using keel::test::sleep_for;

namespace {

struct fixture {
  keel::runtime::event_loops loops{1};
  db::pool pool{loops, [] {
                  db::pool_options o;
                  o.url = keel::test::fresh_database();
                  o.size = 6;
                  return o;
                }()};

  cron::task_context context() { return {pool, {}, {}}; }

  struct run_row {
    std::string status;
    std::optional<std::string> error;
    std::string summary;
    bool finished;
  };
  std::vector<run_row> runs(const std::string& task) {
    return run_async(loops, [&]() -> async<std::vector<run_row>> {
      auto rows = co_await pool.query(R"sql(
          SELECT status, error, summary::text, finished_at IS NOT NULL
            FROM cron_runs WHERE task = $1 ORDER BY started_at, id
      )sql",
                                      task);
      std::vector<run_row> out;
      for (auto r : rows) {
        out.push_back({r.get<std::string>(0), r.get<std::optional<std::string>>(1),
                       r.get<std::string>(2), r.get<bool>(3)});
      }
      co_return out;
    });
  }
};

}  // namespace

TEST_CASE("a succeeded run is recorded with its summary", "[cron]") {
  fixture f;
  cron::task t{.name = "test.ok",
               .summary = "",
               .help = "",
               .run = [](cron::task_context& ctx) -> async<int> {
                 ctx.summary["deleted"] = 7;
                 co_return 0;
               }};
  auto ctx = f.context();
  CHECK(run_async(f.loops, [&] { return cron::run_locked(t, ctx); }) == 0);
  auto runs = f.runs("test.ok");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "succeeded");
  CHECK(runs[0].finished);
  CHECK_FALSE(runs[0].error);
  CHECK(runs[0].summary == R"({"deleted": 7})");
}

TEST_CASE("a failing task exits non-zero and leaves a failed row with its error", "[cron]") {
  fixture f;
  cron::task throws{.name = "test.throws",
                    .summary = "",
                    .help = "",
                    .run = [](cron::task_context&) -> async<int> {
                      throw std::runtime_error("the disk is full");
                      co_return 0;
                    }};
  cron::task returns{.name = "test.returns",
                     .summary = "",
                     .help = "",
                     .run = [](cron::task_context&) -> async<int> { co_return 3; }};
  auto ctx = f.context();
  CHECK(run_async(f.loops, [&] { return cron::run_locked(throws, ctx); }) == 1);
  CHECK(run_async(f.loops, [&] { return cron::run_locked(returns, ctx); }) == 3);
  auto thrown = f.runs("test.throws");
  REQUIRE(thrown.size() == 1);
  CHECK(thrown[0].status == "failed");
  CHECK(thrown[0].error == "the disk is full");
  auto returned = f.runs("test.returns");
  REQUIRE(returned.size() == 1);
  CHECK(returned[0].status == "failed");
  CHECK(returned[0].error->find("status 3") != std::string::npos);
}

TEST_CASE("of two concurrent runs of a task, one runs and the other skips", "[cron]") {
  fixture f;
  int executions = 0;
  cron::task slow{.name = "test.slow",
                  .summary = "",
                  .help = "",
                  .run = [&](cron::task_context&) -> async<int> {
                    ++executions;
                    co_await sleep_for(300ms);
                    co_return 0;
                  }};
  auto first = f.context();
  auto second = f.context();
  std::vector<int> statuses(2, -1);
  keel::test::run_concurrently(f.loops, 2, [&](int i) -> async<void> {
    if (i == 1) co_await sleep_for(50ms);  // the first one holds the lock by then
    statuses[i] = co_await cron::run_locked(slow, i == 0 ? first : second);
  });
  CHECK(statuses == std::vector<int>{0, 0});
  CHECK(executions == 1);
  auto runs = f.runs("test.slow");
  REQUIRE(runs.size() == 2);
  std::multiset<std::string> outcomes{runs[0].status, runs[1].status};
  CHECK(outcomes == std::multiset<std::string>{"skipped", "succeeded"});
}

TEST_CASE("runs of a task that waits for its turn take turns instead of skipping", "[cron]") {
  fixture f;
  int running = 0;
  int most_at_once = 0;
  int executions = 0;
  cron::task serial{.name = "test.serial",
                    .summary = "",
                    .help = "",
                    .run = [&](cron::task_context&) -> async<int> {
                      ++executions;
                      most_at_once = std::max(most_at_once, ++running);
                      co_await sleep_for(150ms);
                      --running;
                      co_return 0;
                    },
                    .when_running = cron::overlap::wait};
  auto first = f.context();
  auto second = f.context();
  keel::test::run_concurrently(f.loops, 2, [&](int i) -> async<void> {
    co_await cron::run_locked(serial, i == 0 ? first : second);
  });
  CHECK(executions == 2);
  CHECK(most_at_once == 1);
  CHECK(f.runs("test.serial").size() == 2);
}
