// The audit log: who did what, when and from where, as the admin API shows it.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::audit {

// Where an action came from; the routes fill it from the HTTP request.
struct origin {
  std::optional<uuid> actor_id;  // the signed-in user who acted, if any
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string traceparent;  // keel's span of that request (W3C), carried into its jobs
};

struct entry {
  static constexpr std::string_view schema_name = "AuditEntry";
  uuid id;
  std::string action;  // "auth.login", "auth.refresh_reuse", "admin.user_updated", ...
  std::optional<uuid> actor_id;
  std::optional<uuid> user_id;
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
  boost::json::value details;  // what else the action needs to be understood
  timestamp created_at;
};
BOOST_DESCRIBE_STRUCT(entry, (),
                      (id, action, actor_id, user_id, ip, user_agent, request_id, details,
                       created_at))

// GET /api/v1/admin/audit?user_id=&action=&limit=&cursor=
struct list_query {
  std::optional<uuid> user_id;
  std::optional<std::string> action;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(list_query, (), (user_id, action, limit, cursor))

constexpr auto keel_rules(const list_query*) {
  using namespace keel::dto;
  return rules(field("user_id").description("Only entries about this user"),
               field("action").max_length(100).description("Only this action"),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

using entry_page = dto::page<entry>;

}  // namespace keel::audit
