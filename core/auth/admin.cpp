// Auth service: what an admin (or ops, through keel-cron) may do to accounts.
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include "core/audit/log.hpp"
#include "core/auth/admin.hpp"
#include "core/auth/service.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/dto/cursor.hpp"
#include "core/runtime/error.hpp"

namespace keel::auth {
namespace {

struct user_position {
  uuid id;
};
BOOST_DESCRIBE_STRUCT(user_position, (), (id))

}  // namespace

async<admin_user_page> admin::list_users(const user_list_query& query) {
  auto at = dto::read_page<user_position>(query.limit, query.cursor);
  std::optional<uuid> after;
  if (at.after) after = at.after->id;
  auto rows = co_await store::list_users(db_, after, at.fetch());
  co_return dto::make_page(std::move(rows), at,
                           [](const admin_user& u) { return user_position{u.id}; });
}

async<admin_user> admin::update_user(const principal& by, const uuid& id, const user_patch& patch,
                                     const audit::origin& from) {
  if (id == by.user_id &&
      ((patch.role && *patch.role != "admin") || patch.disabled.value_or(false))) {
    throw conflict("An admin cannot demote or disable their own account.", "self_lockout");
  }
  auto tx = co_await db_.begin();
  auto before = co_await store::find_user(tx, id);
  if (!before) throw not_found("No such user.");
  auto user = co_await store::update_user(tx, id, patch.role, patch.disabled);
  if (!user) throw not_found("No such user.");
  std::int64_t ended = 0;
  if (patch.disabled.value_or(false)) {
    std::optional<uuid> keep_none;
    ended = co_await store::end_user_sessions(tx, id, "user_disabled", keep_none);
  }
  boost::json::object details{{"sessions_ended", ended}};
  if (patch.role) details["role"] = *patch.role;
  if (patch.disabled) details["disabled"] = *patch.disabled;
  std::optional<uuid> subject = id;
  co_await audit::record(tx, from, "admin.user_updated", subject, details);
  if (patch.role && *patch.role != before->view.role) {
    boost::json::object change{{"from", before->view.role}, {"to", *patch.role}};
    co_await audit::record(tx, from, "auth.role_changed", subject, change);
  }
  co_await tx.commit();
  co_return *user;
}

async<admin_user> admin::promote(const std::string& email, const audit::origin& from) {
  std::string normalized = normalize_email(email);
  auto tx = co_await db_.begin();
  auto user = co_await store::set_role_by_email(tx, normalized, "admin");
  if (!user) throw not_found("No account has this email.");
  boost::json::object change{{"to", "admin"}, {"by", "keel-cron users.promote"}};
  std::optional<uuid> subject = user->id;
  co_await audit::record(tx, from, "auth.role_changed", subject, change);
  co_await tx.commit();
  co_return *user;
}

async<purge_result> admin::purge(int batch) {
  constexpr std::int64_t keep_ended = 24 * 60 * 60;
  purge_result done;
  // Batches, so that no statement holds many row locks or runs long on a big table.
  for (std::int64_t n = batch; n == batch;) {
    n = co_await store::purge_sessions(db_, keep_ended, batch);
    done.sessions += n;
  }
  for (std::int64_t n = batch; n == batch;) {
    n = co_await store::purge_link_tokens(db_, batch);
    done.links += n;
  }
  for (std::int64_t n = batch; n == batch;) {
    n = co_await store::purge_otps(db_, batch);
    done.codes += n;
  }
  co_return done;
}

}  // namespace keel::auth
