// Community rules: what the draft, rule, stakeholder and invite routes accept and return.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog/sections.hpp"
#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

// The namespace is rulebook, not rules: keel::rules would hide dto::rules, which every DTO's
// keel_rules calls.
namespace keel::rulebook {

using catalog::sections_document;

// The most invites one rule may have, at publish and after.
inline constexpr std::size_t max_stakeholders = 30;

// ---- drafts ----

// The create flow's state, as the client keeps it: free-form, held to the document limits.
struct draft_body {
  static constexpr std::string_view schema_name = "DraftBody";
  boost::json::object payload;
};
BOOST_DESCRIBE_STRUCT(draft_body, (), (payload))

constexpr auto keel_rules(const draft_body*) {
  using namespace keel::dto;
  return rules(field("payload").description(
      "The create flow's state; free-form within the document limits"));
}

// Every document limit, at its path under "payload".
void keel_validate(const draft_body& body, dto::problems& found);

struct draft {
  static constexpr std::string_view schema_name = "Draft";
  boost::json::object payload;
  std::int64_t version = 0;  // also the ETag
  timestamp updated_at;
};
BOOST_DESCRIBE_STRUCT(draft, (), (payload, version, updated_at))

// ---- rules ----

enum class rule_relation { owner, stakeholder };
BOOST_DESCRIBE_ENUM(rule_relation, owner, stakeholder)

struct publish_body {
  static constexpr std::string_view schema_name = "PublishRule";
  std::string title;
  std::optional<std::string> summary;
  sections_document document;
  std::optional<std::vector<std::string>> stakeholder_emails;
};
BOOST_DESCRIBE_STRUCT(publish_body, (), (title, summary, document, stakeholder_emails))

constexpr auto keel_rules(const publish_body*) {
  using namespace keel::dto;
  return rules(field("title").length(1, 500), field("summary").max_length(8000),
               field("stakeholder_emails")
                   .max_items(max_stakeholders)
                   .description("Invited by email; your own address and repeats are dropped"));
}

// Each address an email address (the rule set cannot reach into a list of strings).
void keel_validate(const publish_body& body, dto::problems& found);

// Only what is sent changes.
struct patch_body {
  static constexpr std::string_view schema_name = "PatchRule";
  std::optional<std::string> title;
  std::optional<std::string> summary;
  std::optional<sections_document> document;
};
BOOST_DESCRIBE_STRUCT(patch_body, (), (title, summary, document))

constexpr auto keel_rules(const patch_body*) {
  using namespace keel::dto;
  return rules(field("title").length(1, 500),
               field("summary").max_length(8000).description("An empty string clears it"));
}

// A published rule as anyone may read it. The owner is never named.
struct rule {
  static constexpr std::string_view schema_name = "Rule";
  uuid id;
  std::string title;
  std::optional<std::string> summary;
  sections_document document;
  timestamp created_at;
  timestamp updated_at;
  std::optional<rule_relation> viewer_role;  // the caller's relation to it, null when none
};
BOOST_DESCRIBE_STRUCT(rule, (), (id, title, summary, document, created_at, updated_at, viewer_role))

struct rule_summary {
  static constexpr std::string_view schema_name = "RuleSummary";
  uuid id;
  std::string title;
  std::optional<std::string> summary;
  timestamp created_at;
  timestamp updated_at;
};
BOOST_DESCRIBE_STRUCT(rule_summary, (), (id, title, summary, created_at, updated_at))

struct my_rule : rule_summary {
  static constexpr std::string_view schema_name = "MyRule";
  rule_relation role = rule_relation::owner;
};
BOOST_DESCRIBE_STRUCT(my_rule, (rule_summary), (role))

// GET /api/v1/rules?q=&limit=&cursor=
struct rule_query {
  std::optional<std::string> q;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(rule_query, (), (q, limit, cursor))

constexpr auto keel_rules(const rule_query*) {
  using namespace keel::dto;
  return rules(field("q").max_length(200).description(
                   "Full-text search over title, summary and document; best match first"),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

// GET /api/v1/rules/me?limit=&cursor=
struct my_rule_query {
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(my_rule_query, (), (limit, cursor))

constexpr auto keel_rules(const my_rule_query*) {
  using namespace keel::dto;
  return rules(field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

using rule_page = dto::page<rule_summary>;
using my_rule_page = dto::page<my_rule>;

// ---- stakeholders and invites ----

enum class invite_status { pending, accepted, expired };
BOOST_DESCRIBE_ENUM(invite_status, pending, accepted, expired)

struct stakeholder {
  static constexpr std::string_view schema_name = "Stakeholder";
  uuid id;
  std::string email;
  invite_status status = invite_status::pending;
  timestamp invited_at;
  std::optional<timestamp> accepted_at;
};
BOOST_DESCRIBE_STRUCT(stakeholder, (), (id, email, status, invited_at, accepted_at))

struct stakeholder_list {
  static constexpr std::string_view schema_name = "StakeholderList";
  std::vector<stakeholder> data;
};
BOOST_DESCRIBE_STRUCT(stakeholder_list, (), (data))

struct stakeholder_body {
  static constexpr std::string_view schema_name = "AddStakeholder";
  std::string email;
};
BOOST_DESCRIBE_STRUCT(stakeholder_body, (), (email))

constexpr auto keel_rules(const stakeholder_body*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254));
}

struct accept_body {
  static constexpr std::string_view schema_name = "AcceptInvite";
  std::string token;
};
BOOST_DESCRIBE_STRUCT(accept_body, (), (token))

constexpr auto keel_rules(const accept_body*) {
  using namespace keel::dto;
  return rules(field("token").length(1, 256).description("The token of the invite link"));
}

struct accepted_invite {
  static constexpr std::string_view schema_name = "AcceptedInvite";
  uuid rule_id;
};
BOOST_DESCRIBE_STRUCT(accepted_invite, (), (rule_id))

}  // namespace keel::rulebook
