// Community rules: drafts, publishing, reading and changing rules, stakeholders and invites.
// Every write is one transaction with its audit row and its mail.
#pragma once
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>

#include "core/audit/dto.hpp"
#include "core/auth/principal.hpp"
#include "core/rules/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::cache {
class cache;
}
namespace keel::realtime {
class publisher;
}
namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::rulebook {

// A rule or draft with the version its ETag names.
template <class T>
struct versioned {
  T value;
  std::int64_t version = 0;
};

// What a conditional write was sent: If-Match's version, or If-None-Match: * (create only).
struct precondition {
  std::optional<std::int64_t> if_match;  // a version that matches nothing when stale
  bool create_only = false;
  bool if_match_any_version = false;  // If-Match that no version can satisfy (malformed)
};

// Keeps the draft a person sent along with an emailed code (the create flow started signed
// out) as their draft, inside the transaction that signs them in: auth's draft hand-off,
// wired in api/app.cpp. It replaces any draft the account had, as a save without If-Match does.
async<void> keep_handed_on_draft(db::transaction& tx, const uuid& user,
                                 const boost::json::value& payload);

class service {
 public:
  // `app_url` is where invite links point (APP_URL). `public_reads` caches what an anonymous
  // caller reads of a rule; this service's writes invalidate it.
  // `events` carries the live updates of drafts and rules (realtime), in each write's
  // transaction.
  service(db::pool& db, std::string app_url, cache::cache& public_reads,
          realtime::publisher& events)
      : db_(db), app_url_(std::move(app_url)), public_reads_(public_reads), events_(events) {}

  // ---- drafts: one per user ----
  // Throws not_found ("draft_not_found").
  async<versioned<draft>> get_draft(const uuid& user);
  // Throws precondition_failed ("draft_changed") when `pre` does not hold.
  // The answer carries the payload that was sent (moved out of `body`).
  // Each save and delete tells the person's other sessions (event on user:<id>).
  async<versioned<draft>> save_draft(const auth::principal& who, draft_body&& body,
                                     const precondition& pre);
  async<void> delete_draft(const auth::principal& who);

  // ---- rules ----
  // The rule and its invites (mail queued) in one transaction; own address and repeats dropped.
  async<versioned<rule>> publish(const auth::principal& who, const publish_body& body,
                                 const audit::origin& from);
  async<rule_page> list(const rule_query& query);
  // Throws not_found ("rule_not_found"). `viewer` decides viewer_role.
  async<versioned<rule>> get(const uuid& id, const std::optional<uuid>& viewer);
  // The rule as anyone signed out sees it (viewer_role null), already encoded as JSON, from
  // the cache when it is there. Throws not_found ("rule_not_found").
  async<versioned<std::string>> get_public(const uuid& id);
  // Owner only (forbidden "not_rule_owner"); precondition_failed ("rule_changed") when stale.
  async<versioned<rule>> update(const auth::principal& who, const uuid& id, const patch_body& body,
                                const precondition& pre, const audit::origin& from);
  async<void> remove(const auth::principal& who, const uuid& id, const audit::origin& from);
  async<versioned<rule>> duplicate(const auth::principal& who, const uuid& id,
                                   const audit::origin& from);
  async<my_rule_page> mine(const uuid& user, const my_rule_query& query);

  // ---- stakeholders: the owner's; to anyone else the rule does not exist ----
  async<stakeholder_list> stakeholders(const auth::principal& who, const uuid& rule_id);
  async<stakeholder> add_stakeholder(const auth::principal& who, const uuid& rule_id,
                                     const stakeholder_body& body, const audit::origin& from);
  async<void> remove_stakeholder(const auth::principal& who, const uuid& rule_id, const uuid& id,
                                 const audit::origin& from);
  // A new link (the old stops working) and expiry; once a minute per stakeholder.
  async<void> resend(const auth::principal& who, const uuid& rule_id, const uuid& id,
                     const audit::origin& from);
  // The signed-in, verified address must be the invited one.
  async<accepted_invite> accept(const auth::principal& who, const accept_body& body,
                                const audit::origin& from);

  // Whether `user` may follow the rule's live events: its owner or an accepted stakeholder
  // (a published rule is public to read, its events are not).
  async<bool> may_follow(const uuid& user, const uuid& rule);

 private:
  db::pool& db_;
  std::string app_url_;
  cache::cache& public_reads_;
  realtime::publisher& events_;
};

}  // namespace keel::rulebook
