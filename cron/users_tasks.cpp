// Account tasks for ops: make a user an admin.
#include <fmt/format.h>

#include "core/auth/admin.hpp"
#include "core/runtime/log.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {
namespace {

// The value after `--name` in the task's arguments (`--email ada@example.com`).
std::optional<std::string> option(const std::vector<std::string>& args, std::string_view name) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return std::nullopt;
}

}  // namespace

void add_users_tasks(registry& tasks) {
  tasks.add({
      .name = "users.promote",
      .summary = "Give an account the admin role",
      .help = "keel-cron run users.promote --email ada@example.com\n"
              "Makes the account with this email an admin (the first admin has to be made this\n"
              "way). Written to the audit log. Exits 1 when no account has the email.",
      .run = [](task_context& ctx) -> async<int> {
        auto email = option(ctx.args, "--email");
        if (!email) {
          fmt::print(stderr, "users.promote needs --email ADDRESS\n");
          co_return 2;
        }
        auth::admin accounts(ctx.db);
        audit::origin from{
            .actor_id = std::nullopt, .ip = "", .user_agent = "keel-cron", .request_id = ""};
        auto user = co_await accounts.promote(*email, from);
        ctx.summary["user_id"] = user.id.str();
        log::info("user promoted to admin", {{"user_id", user.id.str()}});
        co_return 0;
      },
  });
}

}  // namespace keel::cron
