// Job queue tasks: prune finished jobs, rescue jobs of dead workers, print queue counts.
#include <fmt/format.h>

#include "core/jobs/service.hpp"
#include "core/jobs/settings.hpp"
#include "core/runtime/log.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {

void add_jobs_tasks(registry& tasks, const jobs::retention_settings& retention) {
  tasks.add({
      .name = "jobs.prune",
      .summary = "Delete finished jobs past their retention",
      .help = "Deletes completed and cancelled jobs that finished more than JOBS_RETAIN_COMPLETED\n"
              "ago (default 24h) and discarded jobs older than JOBS_RETAIN_DISCARDED (default\n"
              "14d), 1000 rows per statement so that a large backlog never holds long locks.\n"
              "Waiting and running jobs are never touched. Run it hourly or daily.",
      .run = [&retention](task_context& ctx) -> async<int> {
        auto r = co_await jobs::service(ctx.db).prune(retention.keep_completed,
                                                      retention.keep_discarded);
        ctx.summary["completed_deleted"] = r.completed;
        ctx.summary["discarded_deleted"] = r.discarded;
        log::info("jobs pruned", {{"completed", r.completed}, {"discarded", r.discarded}});
        co_return 0;
      },
  });
  tasks.add({
      .name = "jobs.rescue",
      .summary = "Return jobs of dead workers to the queue",
      .help = "Running jobs whose lease expired (their worker died without a heartbeat) become\n"
              "retryable, the attempt counted and an error recorded, or discarded when it was\n"
              "their last attempt. Every keel-worker already does this on its own; schedule it\n"
              "when workers may all be down for a while.",
      .run = [](task_context& ctx) -> async<int> {
        auto r = co_await jobs::service(ctx.db).rescue();
        ctx.summary["retryable"] = r.retryable;
        ctx.summary["discarded"] = r.discarded;
        log::info("jobs rescued", {{"retryable", r.retryable}, {"discarded", r.discarded}});
        co_return 0;
      },
  });
  tasks.add({
      .name = "jobs.stats",
      .summary = "Print job counts by queue and state",
      .help = "Prints one line per queue and state with the number of jobs, for ops.",
      .run = [](task_context& ctx) -> async<int> {
        auto stats = co_await jobs::service(ctx.db).stats();
        fmt::print("{:<20} {:<10} {:>10}\n", "queue", "state", "jobs");
        for (const auto& c : stats.counts) {
          fmt::print("{:<20} {:<10} {:>10}\n", c.queue, c.state, c.count);
          ctx.summary[c.queue + "." + c.state] = c.count;
        }
        co_return 0;
      },
  });
}

}  // namespace keel::cron
