// keel-cron's run sequence: lock, record, run, record, unlock.
#include "core/cron/runner.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>

#include "core/cron/store.hpp"
#include "core/db/pool.hpp"
#include "core/db/settings.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::cron {
namespace {

// host:pid, so that a run left "running" by a killed process can be traced to it.
std::string runner_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

// The run's own outcome matters more than its record: a lost record is logged, not fatal.
async<void> record_outcome(task_context& ctx, const task& t, const std::optional<uuid>& run,
                           const std::string& runner, timestamp started, int status,
                           const std::optional<std::string>& error) {
  std::string_view outcome = status == 0 ? "succeeded" : "failed";
  try {
    if (run) {
      co_await store::finish(ctx.db, *run, outcome, error, ctx.summary);
    } else if (co_await store::runs_table_exists(ctx.db)) {
      co_await store::insert_finished(ctx.db, t.name, runner, outcome, started, error, ctx.summary);
    }
  } catch (const std::exception& e) {
    log::error("cannot record the task run", {{"task", t.name}, {"error", e.what()}});
  }
}

}  // namespace

async<int> run_locked(const task& t, task_context& ctx) {
  const std::string runner = runner_name();
  try {
    // The lock lives as long as this session: a second connection does the work, so the
    // task's own statements and transactions never touch the locked session.
    db::lease session = co_await ctx.db.acquire();
    bool recorded = co_await store::runs_table_exists(ctx.db);
    if (t.when_running == overlap::wait) {
      co_await store::lock(session, t.name);
    } else if (!co_await store::try_lock(session, t.name)) {
      log::info("task skipped: another run holds its lock", {{"task", t.name}});
      if (recorded) {
        co_await store::insert_finished(ctx.db, t.name, runner, "skipped", now(), std::nullopt, {});
      }
      co_return 0;
    }
    timestamp started = now();
    std::optional<uuid> run;
    if (recorded) run = co_await store::insert_running(ctx.db, t.name, runner, started);

    int status = 1;
    std::optional<std::string> error;
    try {
      status = co_await t.run(ctx);
      if (status != 0) error = "the task exited with status " + std::to_string(status);
    } catch (const std::exception& e) {
      error = e.what();
      log::error("task failed", {{"task", t.name}, {"error", e.what()}});
    }
    co_await record_outcome(ctx, t, run, runner, started, status, error);
    co_await store::unlock(session, t.name);
    co_return status;
  } catch (const std::exception& e) {
    // The lock or the record could not be taken: the database is unreachable, say.
    log::error("task could not run", {{"task", t.name}, {"error", e.what()}});
    co_return 1;
  }
}

int run_task_process(const db::settings& db, const task& t, std::vector<std::string> args) {
  runtime::event_loops loops(1);
  // One connection holds the task's lock, the others run the task.
  auto options = db::pool_options_from(db, "keel-cron " + t.name);
  options.size = std::clamp(db.pool_size, 2, 4);
  db::pool pool(loops, options);
  int status = 1;
  auto started = std::chrono::steady_clock::now();
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> async<void> {
        task_context ctx{pool, std::move(args), {}};
        status = co_await run_locked(t, ctx);
        co_await pool.close();
        loops.release_work();
      },
      boost::asio::detached);
  loops.run();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  log::info(status == 0 ? "task finished" : "task failed",
            {{"task", t.name}, {"status", status}, {"duration_ms", ms}});
  return status;
}

int run_offline_task(const task& t, std::vector<std::string> args) {
  // Nothing is read from the environment: a missing DATABASE_URL must not stop the task.
  runtime::event_loops loops(1);
  // The pool connects only when used; the socket path cannot exist, so a use fails at once
  // instead of reaching whatever server libpq's defaults would find.
  db::pool unused(loops, db::pool_options{.url = "host=/dev/null/keel-cron-offline", .size = 1});
  int status = 1;
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> async<void> {
        task_context ctx{unused, std::move(args), {}};
        try {
          status = co_await t.run(ctx);
        } catch (const std::exception& e) {
          log::error("task failed", {{"task", t.name}, {"error", e.what()}});
        }
        loops.release_work();
      },
      boost::asio::detached);
  loops.run();
  return status;
}

}  // namespace keel::cron
