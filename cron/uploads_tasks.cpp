// Upload tasks: purge uploads whose file never arrived.
#include "core/runtime/log.hpp"
#include "core/uploads/service.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {

void add_uploads_tasks(registry& tasks) {
  tasks.add({
      .name = "uploads.purge",
      .summary = "Delete uploads left pending for a day",
      .help = "Uploads whose file was never completed within a day of their presigned URL are\n"
              "marked deleted, and a storage.delete job removes whatever object a client may\n"
              "have sent, 500 per transaction. Run it daily.",
      .run = [](task_context& ctx) -> async<int> {
        int purged = co_await uploads::purge_stale_pending(ctx.db, std::chrono::hours(24));
        ctx.summary["purged"] = purged;
        log::info("stale uploads purged", {{"purged", purged}});
        co_return 0;
      },
  });
}

}  // namespace keel::cron
