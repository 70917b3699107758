// Rows another session holds locked (an operator's psql, an application transaction that
// touched a job). The batched statements skip such a row; here one waiter per row waits for it
// on a connection of its own, under lock_timeout, and writes what is due once it has the row.
// Waiting rather than polling matters: the waiter is first in the row's lock queue, so when the
// lock goes it gets the row before a rescuer (which skips locked rows) could take the job back.
#include "core/jobs/detail/locked.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>

#include "core/db/error.hpp"
#include "core/jobs/detail/execution.hpp"
#include "core/jobs/detail/leases.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs::detail {
namespace {

// Short enough that a stop is not held up, long enough that a waiter is nearly always in the
// row's lock queue; below the statement timeout, so that the server ends it as a lock wait.
milliseconds lock_wait(const runner_state& s) {
  auto statement = s.db.options().statement_timeout;
  if (statement.count() <= 0) return milliseconds(2000);
  return std::clamp(statement / 2, milliseconds(50), milliseconds(2000));
}

// Each waiter holds a pooled connection while it waits: a few are enough (one per locked row
// is the normal case), and the handlers keep the rest.
int max_waiters(const runner_state& s) {
  return std::max(1, s.db.options().size / 4);
}

long long waited_ms(const locked_row& row) {
  return std::chrono::duration_cast<milliseconds>(steady::now() - row.since).count();
}

void start_waiters(runner_state& s);

// Writes what is due for `id` once its row is free; ends when nothing more is.
async<void> wait_for_row(runner_state& s, uuid id) {
  const milliseconds wait = lock_wait(s);
  std::string worker = s.options.worker_id;
  for (int tries = 1;; ++tries) {
    bool pause = false;  // after an error other than the lock wait: not in a tight loop
    auto it = s.locked.find(id);
    if (it == s.locked.end()) co_return;
    locked_row& row = it->second;  // only this waiter erases it
    if (!row.complete && !row.failed && !s.runs(id)) {
      s.locked.erase(it);  // ended meanwhile, its outcome written by the batched statements
      co_return;
    }
    try {
      if (row.complete) {
        bool held = co_await store::complete_locked(s.db, id, worker, wait);
        auto waited = waited_ms(s.locked.at(id));
        s.locked.erase(id);
        if (held) {
          log::info("job completed once another session released its row",
                    {{"job_id", id.str()}, {"waited_ms", waited}});
        } else {
          log::warn("job completed but is no longer held by this worker (cancelled meanwhile)",
                    {{"job_id", id.str()}, {"waited_ms", waited}});
        }
        co_return;
      }
      if (row.failed) {
        failure f = *row.failed;
        auto failed =
            co_await store::fail_locked(s.db, id, worker, f.error, f.retry_in, f.discard, wait);
        s.locked.erase(id);
        recorded_failure(s, f, failed);
        co_return;
      }
      bool held = co_await store::extend_locked(s.db, id, worker, s.options.lease, wait);
      auto& now = s.locked.at(id);
      if (!held) {
        s.locked.erase(id);
        no_longer_held(s, id);
        co_return;
      }
      // The heartbeat takes over, unless the job ended while this waited.
      if (!now.complete && !now.failed) {
        log::info("job lease extended once another session released its row",
                  {{"job_id", id.str()}, {"waited_ms", waited_ms(now)}});
        s.locked.erase(id);
        co_return;
      }
      continue;
    } catch (const db::error& e) {
      if (e.sqlstate() != store::lock_not_available) {
        log::warn("could not write a job whose row was locked; retrying",
                  {{"job_id", id.str()}, {"error", e.what()}});
        pause = true;
      }
    } catch (const std::exception& e) {
      s.database_trouble("locked row", e.what());
      pause = true;
    }
    auto& row_now = s.locked.at(id);
    if (s.finishing) {
      log::error(
          "stopping while another session still holds a job's row locked; the job comes back "
          "through its lease once the lock goes",
          {{"job_id", id.str()},
           {"completed", row_now.complete},
           {"waited_ms", waited_ms(row_now)}});
      s.locked.erase(id);
      co_return;
    }
    if (tries % 15 == 0) {
      log::warn("a job's row is still locked by another session",
                {{"job_id", id.str()}, {"waited_ms", waited_ms(row_now)}});
    }
    if (pause) co_await sleep_for(s.io, milliseconds(500));
  }
}

void start_waiters(runner_state& s) {
  // Collected first: a waiter may run up to its first wait inside co_spawn.
  std::vector<uuid> ids;
  for (auto& [id, row] : s.locked) {
    if (s.lock_waiters + static_cast<int>(ids.size()) >= max_waiters(s)) break;
    if (!row.waiting) {
      row.waiting = true;
      ids.push_back(id);
    }
  }
  for (const auto& id : ids) {
    ++s.lock_waiters;
    ++s.background;
    boost::asio::co_spawn(s.io, wait_for_row(s, id), [&s, id](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("waiting for a locked job row failed",
                     {{"job_id", id.str()}, {"error", ex.what()}});
        }
        s.locked.erase(id);
      }
      --s.lock_waiters;
      --s.background;
      s.background_done.notify();
      if (!s.finishing) start_waiters(s);
    });
  }
}

locked_row& entry(runner_state& s, const uuid& id, std::string_view what) {
  auto [it, added] = s.locked.try_emplace(id);
  if (added) {
    log::warn("a job's row is locked by another session; the worker waits for it alone",
              {{"job_id", id.str()}, {"writing", what}});
  }
  return it->second;
}

}  // namespace

void complete_when_unlocked(runner_state& s, const uuid& id) {
  entry(s, id, "completion").complete = true;
  start_waiters(s);
}

void fail_when_unlocked(runner_state& s, failure f) {
  uuid id = f.id;
  entry(s, id, "failure").failed = std::move(f);
  start_waiters(s);
}

void extend_when_unlocked(runner_state& s, const uuid& id) {
  entry(s, id, "lease");
  start_waiters(s);
}

}  // namespace keel::jobs::detail
