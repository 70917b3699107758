// The SQL of drafts, rules and stakeholders, and nothing else. Reads take the pool; writes take
// the caller's transaction, so that the service decides what commits together.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rules/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::rulebook::store {

// ---- drafts (one statement each) ----

async<std::optional<draft>> find_draft(db::pool& db, const uuid& user);
// What a save made of the row: the payload is what was sent, so a save reads back only this.
struct draft_stamp {
  std::int64_t version = 0;
  timestamp updated_at;
};
// Saves whatever is there; the version goes up by one.
async<draft_stamp> save_draft(db::transaction& tx, const uuid& user,
                              const boost::json::object& payload);
// The same inside a larger write (a sign-in that brings a draft along).
async<void> save_draft(db::transaction& tx, const uuid& user, const boost::json::value& payload);
// Only when the user has no draft yet; nullopt when one exists.
async<std::optional<draft_stamp>> create_draft(db::transaction& tx, const uuid& user,
                                               const boost::json::object& payload);
// Only when the stored version is `version`; nullopt otherwise (changed or gone).
async<std::optional<draft_stamp>> replace_draft(db::transaction& tx, const uuid& user,
                                                const boost::json::object& payload,
                                                std::int64_t version);
// Whether there was one.
async<bool> delete_draft(db::transaction& tx, const uuid& user);

// ---- users ----

struct account {
  std::string email;
  bool verified = false;
};
async<std::optional<account>> find_account(db::transaction& tx, const uuid& user);
// The account that has this (normalized) address, if any: who an invite can reach live.
async<std::optional<uuid>> account_with_email(db::transaction& tx, std::string_view email);

// ---- rules ----

// A rule as stored: the public part, who owns it and its version (the ETag).
struct stored_rule {
  rule view;
  std::optional<uuid> owner_id;
  std::int64_t version = 0;
};

// `viewer` fills view.viewer_role.
async<std::optional<stored_rule>> find_rule(db::pool& db, const uuid& id,
                                            const std::optional<uuid>& viewer);
// The same, locked until the transaction ends, for a write that depends on it.
async<std::optional<stored_rule>> lock_rule(db::transaction& tx, const uuid& id);

async<stored_rule> insert_rule(db::transaction& tx, const uuid& owner, std::string_view title,
                               const std::optional<std::string>& summary,
                               const boost::json::value& document);
// Changes what is given (a summary of "" clears it); version + 1 and updated_at now.
async<stored_rule> update_rule(db::transaction& tx, const uuid& id,
                               const std::optional<std::string>& title,
                               const std::optional<std::string>& summary,
                               const std::optional<boost::json::value>& document);
async<void> delete_rule(db::transaction& tx, const uuid& id);

// Where a page of the public list ends: rank (0 without a search), updated_at as PostgreSQL
// writes it (microseconds kept), id.
struct list_position {
  double rank = 0;
  std::string updated_at;
  std::string id;
};
BOOST_DESCRIBE_STRUCT(list_position, (), (rank, updated_at, id))

struct listed_rule {
  rule_summary view;
  list_position at;
};
async<std::vector<listed_rule>> list_rules(db::pool& db, const std::optional<std::string>& q,
                                           const std::optional<list_position>& after, int limit);

struct listed_mine {
  my_rule view;
  list_position at;  // rank unused
};
// Owned and accepted, newest updated_at first.
async<std::vector<listed_mine>> my_rules(db::pool& db, const uuid& user,
                                         const std::optional<list_position>& after, int limit);

// ---- stakeholders ----

async<std::vector<stakeholder>> list_stakeholders(db::pool& db, const uuid& rule_id);
async<int> count_stakeholders(db::transaction& tx, const uuid& rule_id);
// nullopt when the address is already invited to the rule.
async<std::optional<stakeholder>> insert_stakeholder(db::transaction& tx, const uuid& rule_id,
                                                     std::string_view email,
                                                     std::string_view token_hash);

struct stored_stakeholder {
  stakeholder view;
  uuid rule_id;
  bool sent_within_a_minute = false;
};
// Locked until the transaction ends.
async<std::optional<stored_stakeholder>> lock_stakeholder(db::transaction& tx, const uuid& rule_id,
                                                          const uuid& id);
// A new token and a new 7-day expiry; the old link stops working.
async<void> renew_invite(db::transaction& tx, const uuid& id, std::string_view token_hash);
async<void> delete_stakeholder(db::transaction& tx, const uuid& id);

// The unused invite with this token hash, locked; nullopt when unknown or used.
async<std::optional<stored_stakeholder>> lock_invite(db::transaction& tx,
                                                     std::string_view token_hash);
async<void> accept_invite(db::transaction& tx, const uuid& id, const uuid& user);

// Whether `user` owns the rule or accepted an invite to it (who may follow its live events).
async<bool> may_follow(db::pool& db, const uuid& rule, const uuid& user);

}  // namespace keel::rulebook::store
