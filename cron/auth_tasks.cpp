// Auth tasks: make access-token signing keys, purge spent auth data.
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "core/auth/admin.hpp"
#include "core/auth/jwt.hpp"
#include "core/auth/secrets.hpp"
#include "core/runtime/log.hpp"
#include "cron/tasks.hpp"

namespace keel::cron {
namespace {

// "k20250611-3fa9c1": the day it was made, so that ops can tell keys apart when rotating.
std::string default_kid() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  std::string suffix = auth::sha256_hex(auth::random_token(16)).substr(0, 6);
  return fmt::format("k{:04}{:02}{:02}-{}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     suffix);
}

}  // namespace

void add_auth_tasks(registry& tasks) {
  tasks.add({
      .name = "auth.keygen",
      .summary = "Print a new access-token signing key (kid:seed) for JWT_SIGNING_KEYS",
      .help = "Prints one new entry for JWT_SIGNING_KEYS on stdout and nothing else: a kid and a\n"
              "seed of 32 random bytes (base64url). The optional argument sets the kid (1-64 of\n"
              "A-Z a-z 0-9 . _ -); by default it is k<date>-<random>. Needs no database.\n"
              "The output is a secret: put it in the secret store, never in a log or a commit.\n"
              "To rotate: put the new entry first (it signs from then on), keep the old one after\n"
              "it (it still verifies) and remove it once ACCESS_TOKEN_TTL has passed.",
      .run = [](task_context& ctx) -> async<int> {
        if (ctx.args.size() > 1) {
          fmt::print(stderr, "auth.keygen takes at most one argument, the kid\n");
          co_return 2;
        }
        std::string kid = ctx.args.empty() ? default_kid() : ctx.args[0];
        fmt::print("{}\n", auth::new_signing_key_entry(kid));
        co_return 0;
      },
      .needs_database = false,
  });
  tasks.add({
      .name = "auth.purge",
      .summary = "Delete ended sessions, spent codes and used links",
      .help = "Deletes sessions that ended or expired more than a day ago (with their refresh\n"
              "tokens), used or expired verification and reset links, and expired sign-in codes,\n"
              "1000 rows per statement. Run it daily.",
      .run = [](task_context& ctx) -> async<int> {
        auth::admin accounts(ctx.db);
        auto r = co_await accounts.purge();
        ctx.summary["sessions"] = r.sessions;
        ctx.summary["links"] = r.links;
        ctx.summary["codes"] = r.codes;
        log::info("auth data purged",
                  {{"sessions", r.sessions}, {"links", r.links}, {"codes", r.codes}});
        co_return 0;
      },
  });
}

}  // namespace keel::cron
