// Community rules decisions: who may do what, preconditions, invites and their mail.
#include "core/rules/service.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/audit/log.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/service.hpp"
#include "core/cache/cache.hpp"
#include "core/db/pool.hpp"
#include "core/dto/cursor.hpp"
#include "core/dto/formats.hpp"
#include "core/dto/json.hpp"
#include "core/jobs/service.hpp"
#include "core/mail/service.hpp"
#include "core/realtime/channels.hpp"
#include "core/realtime/publisher.hpp"
#include "core/rules/store.hpp"
#include "core/runtime/error.hpp"

namespace keel::rulebook {
namespace {

constexpr int default_page_size = 20;

[[noreturn]] void draft_changed() {
  throw precondition_failed("The draft changed since you read it: read it again.", "draft_changed");
}

[[noreturn]] void no_rule() {
  throw not_found("No rule has this id.", "rule_not_found");
}

// The caller's own rule, locked for the transaction: 403 for anyone else.
async<store::stored_rule> owned(db::transaction& tx, const auth::principal& who, const uuid& id) {
  auto found = co_await store::lock_rule(tx, id);
  if (!found) no_rule();
  if (found->owner_id != who.user_id) {
    throw forbidden("Only the rule's owner may change it.", "not_rule_owner");
  }
  co_return std::move(*found);
}

// The same for stakeholders, which only the owner may even see: 404 for anyone else.
async<store::stored_rule> owned_quietly(db::transaction& tx, const auth::principal& who,
                                        const uuid& id) {
  auto found = co_await store::lock_rule(tx, id);
  if (!found || found->owner_id != who.user_id) no_rule();
  co_return std::move(*found);
}

std::string invite_text(std::string_view title, std::string_view link) {
  return "You are invited to see the community rule \"" + std::string(title) +
         "\".\n\nOpen this link, signed in with this email address, to accept:\n\n" +
         std::string(link) +
         "\n\nThe link works once and expires in 7 days. If you do not know the sender, ignore "
         "this email.\n";
}

async<void> audit_rule(db::transaction& tx, const audit::origin& from, std::string_view action,
                       const auth::principal& who, boost::json::object details) {
  std::optional<uuid> user = who.user_id;
  co_await audit::record(tx, from, action, user, details);
}

}  // namespace

// An invite: a fresh token stored hashed, its mail queued and, when the address has an
// account, a live notice to it, all in the same transaction.
static async<std::optional<stakeholder>> invite(db::transaction& tx, realtime::publisher& events,
                                                const std::string& app_url,
                                                const store::stored_rule& r,
                                                const std::string& email,
                                                const audit::origin& from) {
  std::string token = auth::random_token(32);
  std::string token_hash = auth::sha256_hex(token);
  auto added = co_await store::insert_stakeholder(tx, r.view.id, email, token_hash);
  if (!added) co_return std::nullopt;
  std::string link = app_url + "/invites/accept?token=" + token;
  mail::message m{
      .to = email,
      .subject = "You are invited to a community rule",
      .text = invite_text(r.view.title, link),
      .html = std::nullopt,
      .reply_to = std::nullopt,
      .purpose = "rules.invite",
      .sensitive = true,
  };
  jobs::cause by = jobs::cause_of(from);
  co_await mail::queue(tx, m, by);
  auto invitee = co_await store::account_with_email(tx, email);
  if (invitee) {
    boost::json::object notice{{"rule_id", r.view.id.str()}, {"stakeholder_id", added->id.str()}};
    co_await events.publish(tx, realtime::user_channel(*invitee), "invite.received", notice);
  }
  co_return added;
}

// ---- drafts ----

async<versioned<draft>> service::get_draft(const uuid& user) {
  auto found = co_await store::find_draft(db_, user);
  if (!found) throw not_found("You have no draft.", "draft_not_found");
  std::int64_t version = found->version;
  co_return versioned<draft>{std::move(*found), version};
}

async<versioned<draft>> service::save_draft(const auth::principal& who, draft_body&& body,
                                            const precondition& pre) {
  if (pre.if_match_any_version) draft_changed();
  auto tx = co_await db_.begin();
  std::optional<store::draft_stamp> saved;
  if (pre.create_only) {
    saved = co_await store::create_draft(tx, who.user_id, body.payload);
  } else if (pre.if_match) {
    saved = co_await store::replace_draft(tx, who.user_id, body.payload, *pre.if_match);
  } else {
    saved = co_await store::save_draft(tx, who.user_id, body.payload);
  }
  if (!saved) draft_changed();
  // The person's other devices and tabs refetch their draft when they hear of it.
  boost::json::object notice{{"version", saved->version},
                             {"updated_at", format_timestamp(saved->updated_at)},
                             {"session_id", who.session_id.str()}};
  co_await events_.publish(tx, realtime::user_channel(who.user_id), "draft.saved", notice);
  co_await tx.commit();
  draft out{.payload = std::move(body.payload),
            .version = saved->version,
            .updated_at = saved->updated_at};
  co_return versioned<draft>{std::move(out), saved->version};
}

async<void> keep_handed_on_draft(db::transaction& tx, const uuid& user,
                                 const boost::json::value& payload) {
  co_await store::save_draft(tx, user, payload);
}

async<void> service::delete_draft(const auth::principal& who) {
  auto tx = co_await db_.begin();
  bool deleted = co_await store::delete_draft(tx, who.user_id);
  if (deleted) {
    boost::json::object notice{{"session_id", who.session_id.str()}};
    co_await events_.publish(tx, realtime::user_channel(who.user_id), "draft.deleted", notice);
  }
  co_await tx.commit();
}

async<bool> service::may_follow(const uuid& user, const uuid& rule) {
  bool allowed = co_await store::may_follow(db_, rule, user);
  co_return allowed;
}

// ---- rules ----

async<versioned<rule>> service::publish(const auth::principal& who, const publish_body& body,
                                        const audit::origin& from) {
  boost::json::value document = dto::encode(body.document);
  auto tx = co_await db_.begin();
  auto me = co_await store::find_account(tx, who.user_id);
  if (!me) throw unauthorized();
  auto r = co_await store::insert_rule(tx, who.user_id, body.title, body.summary, document);
  std::vector<std::string> invited;
  for (const auto& sent : body.stakeholder_emails.value_or(std::vector<std::string>{})) {
    std::string email = auth::normalize_email(sent);
    if (email == me->email) continue;
    if (std::find(invited.begin(), invited.end(), email) != invited.end()) continue;
    co_await invite(tx, events_, app_url_, r, email, from);
    invited.push_back(email);
  }
  boost::json::object details{{"rule_id", r.view.id.str()},
                              {"invited", static_cast<std::int64_t>(invited.size())}};
  co_await audit_rule(tx, from, "rule.published", who, details);
  co_await tx.commit();
  r.view.viewer_role = rule_relation::owner;
  co_return versioned<rule>{std::move(r.view), r.version};
}

async<rule_page> service::list(const rule_query& query) {
  int limit = query.limit.value_or(default_page_size);
  std::optional<store::list_position> after;
  if (query.cursor) after = dto::read_cursor<store::list_position>(*query.cursor);
  std::optional<std::string> q = query.q;
  // A blank search is no search.
  if (q && q->find_first_not_of(" \t\r\n") == std::string::npos) q = std::nullopt;
  auto rows = co_await store::list_rules(db_, q, after, limit + 1);
  rule_page page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    page.next_cursor = dto::make_cursor(rows.back().at);
  }
  for (auto& row : rows) page.data.push_back(std::move(row.view));
  co_return page;
}

async<versioned<rule>> service::get(const uuid& id, const std::optional<uuid>& viewer) {
  auto found = co_await store::find_rule(db_, id, viewer);
  if (!found) no_rule();
  co_return versioned<rule>{std::move(found->view), found->version};
}

async<versioned<std::string>> service::get_public(const uuid& id) {
  // Cached as "<version> <json>": the version is the ETag, which If-Match on a PATCH names.
  std::string key = id.str();
  cache::cache::loader load = [&]() -> async<std::string> {
    std::optional<uuid> anonymous;
    auto found = co_await store::find_rule(db_, id, anonymous);
    if (!found) no_rule();  // not cached: a rule published later is found at once
    co_return std::to_string(found->version) + " " +
        boost::json::serialize(dto::encode(found->view));
  };
  std::string cached = co_await public_reads_.get_or_load(key, load);
  auto space = cached.find(' ');
  if (space == std::string::npos) throw std::runtime_error("a cached rule without its version");
  co_return versioned<std::string>{cached.substr(space + 1), std::stoll(cached.substr(0, space))};
}

async<versioned<rule>> service::update(const auth::principal& who, const uuid& id,
                                       const patch_body& body, const precondition& pre,
                                       const audit::origin& from) {
  std::optional<boost::json::value> document;
  if (body.document) document = dto::encode(*body.document);
  auto tx = co_await db_.begin();
  auto current = co_await owned(tx, who, id);
  if (pre.if_match_any_version || (pre.if_match && *pre.if_match != current.version)) {
    throw precondition_failed("The rule changed since you read it: read it again.", "rule_changed");
  }
  auto r = co_await store::update_rule(tx, id, body.title, body.summary, document);
  boost::json::object details{{"rule_id", id.str()}};
  co_await audit_rule(tx, from, "rule.updated", who, details);
  boost::json::object notice{{"rule_id", id.str()}, {"version", r.version}};
  co_await events_.publish(tx, realtime::rule_channel(id), "rule.updated", notice);
  co_await tx.commit();
  std::string key = id.str();  // a named string: GCC 12 and temporaries across co_await
  co_await public_reads_.invalidate(key);
  r.view.viewer_role = rule_relation::owner;
  co_return versioned<rule>{std::move(r.view), r.version};
}

async<void> service::remove(const auth::principal& who, const uuid& id, const audit::origin& from) {
  auto tx = co_await db_.begin();
  co_await owned(tx, who, id);
  co_await store::delete_rule(tx, id);  // its stakeholders go with it (ON DELETE CASCADE)
  boost::json::object details{{"rule_id", id.str()}};
  co_await audit_rule(tx, from, "rule.deleted", who, details);
  co_await events_.publish(tx, realtime::rule_channel(id), "rule.deleted", details);
  co_await tx.commit();
  std::string key = id.str();  // a named string: GCC 12 and temporaries across co_await
  co_await public_reads_.invalidate(key);
}

async<versioned<rule>> service::duplicate(const auth::principal& who, const uuid& id,
                                          const audit::origin& from) {
  auto tx = co_await db_.begin();
  auto source = co_await owned(tx, who, id);
  boost::json::value document = dto::encode(source.view.document);
  // Shortened first when the copy would pass the 500-character limit (whole characters cut).
  std::string title = source.view.title;
  while (dto::code_points(title) > 500 - 7) {
    do {
      title.pop_back();
    } while (!title.empty() && (static_cast<unsigned char>(title.back()) & 0xC0) == 0x80);
    if (!title.empty() && (static_cast<unsigned char>(title.back()) & 0x80)) title.pop_back();
  }
  title += " (Copy)";
  auto copy = co_await store::insert_rule(tx, who.user_id, title, source.view.summary, document);
  boost::json::object details{{"rule_id", copy.view.id.str()}, {"copied_from", id.str()}};
  co_await audit_rule(tx, from, "rule.duplicated", who, details);
  co_await tx.commit();
  copy.view.viewer_role = rule_relation::owner;
  co_return versioned<rule>{std::move(copy.view), copy.version};
}

async<my_rule_page> service::mine(const uuid& user, const my_rule_query& query) {
  int limit = query.limit.value_or(default_page_size);
  std::optional<store::list_position> after;
  if (query.cursor) after = dto::read_cursor<store::list_position>(*query.cursor);
  auto rows = co_await store::my_rules(db_, user, after, limit + 1);
  my_rule_page page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    page.next_cursor = dto::make_cursor(rows.back().at);
  }
  for (auto& row : rows) page.data.push_back(std::move(row.view));
  co_return page;
}

// ---- stakeholders ----

async<stakeholder_list> service::stakeholders(const auth::principal& who, const uuid& rule_id) {
  auto found = co_await store::find_rule(db_, rule_id, who.user_id);
  if (!found || found->owner_id != who.user_id) no_rule();
  stakeholder_list out;
  out.data = co_await store::list_stakeholders(db_, rule_id);
  co_return out;
}

async<stakeholder> service::add_stakeholder(const auth::principal& who, const uuid& rule_id,
                                            const stakeholder_body& body,
                                            const audit::origin& from) {
  std::string email = auth::normalize_email(body.email);
  auto tx = co_await db_.begin();
  auto r = co_await owned_quietly(tx, who, rule_id);
  auto me = co_await store::find_account(tx, who.user_id);
  if (me && me->email == email) {
    // The vector is named: GCC 12 finds `{{...}}` ambiguous with the copy constructor.
    throw validation_failed(
        std::vector<field_error>{{"email", "is your own address: you own this rule"}});
  }
  // The rule row is locked, so two adds cannot both pass the count.
  if (co_await store::count_stakeholders(tx, rule_id) >= static_cast<int>(max_stakeholders)) {
    throw conflict("A rule has at most 30 stakeholders.", "stakeholder_limit");
  }
  auto added = co_await invite(tx, events_, app_url_, r, email, from);
  if (!added) throw conflict("This address is invited already.", "already_invited");
  boost::json::object details{{"rule_id", rule_id.str()}, {"stakeholder_id", added->id.str()}};
  co_await audit_rule(tx, from, "rule.stakeholder_added", who, details);
  co_await tx.commit();
  co_return std::move(*added);
}

async<void> service::remove_stakeholder(const auth::principal& who, const uuid& rule_id,
                                        const uuid& id, const audit::origin& from) {
  auto tx = co_await db_.begin();
  co_await owned_quietly(tx, who, rule_id);
  auto s = co_await store::lock_stakeholder(tx, rule_id, id);
  if (!s) throw not_found("The rule has no such stakeholder.", "stakeholder_not_found");
  co_await store::delete_stakeholder(tx, id);
  boost::json::object details{{"rule_id", rule_id.str()}, {"stakeholder_id", id.str()}};
  co_await audit_rule(tx, from, "rule.stakeholder_removed", who, details);
  co_await tx.commit();
}

async<void> service::resend(const auth::principal& who, const uuid& rule_id, const uuid& id,
                            const audit::origin& from) {
  auto tx = co_await db_.begin();
  auto r = co_await owned_quietly(tx, who, rule_id);
  auto s = co_await store::lock_stakeholder(tx, rule_id, id);
  if (!s) throw not_found("The rule has no such stakeholder.", "stakeholder_not_found");
  if (s->view.status == invite_status::accepted) {
    throw conflict("This stakeholder accepted already.", "invite_accepted");
  }
  if (s->sent_within_a_minute) {
    throw too_many_requests(60, "The invite was sent less than a minute ago.");
  }
  std::string token = auth::random_token(32);
  std::string token_hash = auth::sha256_hex(token);
  co_await store::renew_invite(tx, id, token_hash);
  std::string link = app_url_ + "/invites/accept?token=" + token;
  mail::message m{
      .to = s->view.email,
      .subject = "You are invited to a community rule",
      .text = invite_text(r.view.title, link),
      .html = std::nullopt,
      .reply_to = std::nullopt,
      .purpose = "rules.invite",
      .sensitive = true,
  };
  jobs::cause by = jobs::cause_of(from);
  co_await mail::queue(tx, m, by);
  boost::json::object details{{"rule_id", rule_id.str()}, {"stakeholder_id", id.str()}};
  co_await audit_rule(tx, from, "rule.invite_resent", who, details);
  co_await tx.commit();
}

async<accepted_invite> service::accept(const auth::principal& who, const accept_body& body,
                                       const audit::origin& from) {
  std::string token_hash = auth::sha256_hex(body.token);
  auto tx = co_await db_.begin();
  auto s = co_await store::lock_invite(tx, token_hash);
  if (!s) throw not_found("This invite is unknown or was used.", "invite_not_found");
  auto me = co_await store::find_account(tx, who.user_id);
  if (!me || !me->verified || me->email != s->view.email) {
    throw forbidden("Sign in with the verified address this invite was sent to.",
                    "invite_wrong_account");
  }
  if (s->view.status == invite_status::expired) {
    throw gone("This invite expired: ask for a new one.", "invite_expired");
  }
  co_await store::accept_invite(tx, s->view.id, who.user_id);
  boost::json::object details{{"rule_id", s->rule_id.str()}, {"stakeholder_id", s->view.id.str()}};
  co_await audit_rule(tx, from, "rule.invite_accepted", who, details);
  // The owner's open view of the rule shows the new stakeholder at once.
  co_await events_.publish(tx, realtime::rule_channel(s->rule_id), "stakeholder.accepted", details);
  co_await tx.commit();
  co_return accepted_invite{s->rule_id};
}

}  // namespace keel::rulebook
