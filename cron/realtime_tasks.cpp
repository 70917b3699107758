// Realtime tasks: drop events past the replay window, and spent or expired tickets.
#include "core/realtime/settings.hpp"
#include "core/realtime/store.hpp"
#include "core/runtime/log.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {

namespace {
constexpr int prune_batch = 5000;
}

void add_realtime_tasks(registry& tasks, const realtime::settings& cfg) {
  tasks.add({
      .name = "realtime.prune",
      .summary = "Delete realtime events older than REALTIME_REPLAY, and expired tickets",
      .help = "No client can resume from an event older than the replay window (it is told to\n"
              "refetch instead), so those rows only cost space. Deletes in batches of 5000.\n"
              "Run it hourly.",
      .run = [&cfg](task_context& ctx) -> async<int> {
        timestamp before = now() - cfg.replay_window;
        std::int64_t events = 0;
        for (;;) {
          std::int64_t n =
              co_await realtime::store::delete_events_before(ctx.db, before, prune_batch);
          events += n;
          if (n < prune_batch) break;
        }
        std::int64_t tickets = co_await realtime::store::delete_expired_tickets(ctx.db);
        ctx.summary["events"] = events;
        ctx.summary["tickets"] = tickets;
        log::info("realtime events pruned", {{"events", events}, {"tickets", tickets}});
        co_return 0;
      },
  });
}

}  // namespace keel::cron
