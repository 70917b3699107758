// Database tasks: apply migrations (the pre-deploy job) and show their state.
#include <fmt/format.h>

#include "core/db/migrations.hpp"
#include "core/runtime/log.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {

void add_db_tasks(registry& tasks) {
  tasks.add({
      .name = "db.migrate",
      .summary = "Apply pending schema migrations (run before every deploy)",
      .help = "Applies every schema/NNNN_name.sql file not yet applied, in order, each in its own\n"
              "transaction, under an advisory lock so that concurrent runs take turns.\n"
              "Fails, naming the file, when an applied migration was edited afterwards.",
      .run = [](task_context& ctx) -> async<int> {
        auto applied = co_await db::migrate(ctx.db, db::embedded_migrations());
        log::info("migrations applied", {{"count", applied.size()}});
        ctx.summary["applied"] = applied.size();
        co_return 0;
      },
      // Every deploy's pre-deploy job must see the migrations done, not skip past them.
      .when_running = overlap::wait,
  });
  tasks.add({
      .name = "db.status",
      .summary = "List applied and pending schema migrations",
      .help = "Prints one line per migration file: applied (with when) or pending.\n"
              "Exits 1 when an applied migration was edited afterwards.",
      .run = [](task_context& ctx) -> async<int> {
        auto states = co_await db::migration_status(ctx.db, db::embedded_migrations());
        int pending = 0;
        for (const auto& s : states) {
          if (s.applied) {
            fmt::print("applied  {}  {}\n", s.name,
                       s.applied_at ? format_timestamp(*s.applied_at) : "");
          } else {
            ++pending;
            fmt::print("pending  {}\n", s.name);
          }
        }
        fmt::print("{} applied, {} pending\n", states.size() - pending, pending);
        ctx.summary["applied"] = states.size() - pending;
        ctx.summary["pending"] = pending;
        co_return 0;
      },
  });
}

}  // namespace keel::cron
