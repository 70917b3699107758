// Auth: what the API accepts and returns. Paths and field names are a contract with clients.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/page.hpp"
#include "core/dto/problems.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::auth {

// ---- what comes in -------------------------------------------------------------------------

struct register_body {
  std::string email;
  std::string password;
  std::optional<std::string> name;
};
BOOST_DESCRIBE_STRUCT(register_body, (), (email, password, name))

constexpr auto keel_rules(const register_body*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254),
               field("password").min_length(8).max_length(128).description("8 to 128 characters"),
               field("name").min_length(1).max_length(200));
}

struct login_body {
  std::string email;
  std::string password;
};
BOOST_DESCRIBE_STRUCT(login_body, (), (email, password))

// No format or length rules beyond the bounds: a login must not tell which rule an account's
// password would have broken, only that the credentials are wrong.
constexpr auto keel_rules(const login_body*) {
  using namespace keel::dto;
  return rules(field("email").min_length(1).max_length(254),
               field("password").min_length(1).max_length(128));
}

// Native clients send the token in the body; browsers send nothing and the cookie carries it.
struct refresh_body {
  std::optional<std::string> refresh_token;
};
BOOST_DESCRIBE_STRUCT(refresh_body, (), (refresh_token))

constexpr auto keel_rules(const refresh_body*) {
  using namespace keel::dto;
  return rules(field("refresh_token")
                   .min_length(1)
                   .max_length(256)
                   .description("Omit it when the refresh cookie is sent"));
}

struct email_body {
  std::string email;
};
BOOST_DESCRIBE_STRUCT(email_body, (), (email))

constexpr auto keel_rules(const email_body*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254));
}

// An emailed-code request. `draft` is the create flow's state of a person who started it
// signed out: it becomes their draft when the code is verified.
struct otp_request_body {
  std::string email;
  std::optional<boost::json::object> draft;
};
BOOST_DESCRIBE_STRUCT(otp_request_body, (), (email, draft))

constexpr auto keel_rules(const otp_request_body*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254),
               field("draft").description(
                   "Saved as the user's draft once the code is verified; held to the document "
                   "limits of a draft"));
}

// The document limits of a draft, at their paths under "draft".
void keel_validate(const otp_request_body& body, dto::problems& found);

struct otp_verify_body {
  std::string email;
  std::string code;
};
BOOST_DESCRIBE_STRUCT(otp_verify_body, (), (email, code))

constexpr auto keel_rules(const otp_verify_body*) {
  using namespace keel::dto;
  return rules(field("email").format(format::email).max_length(254),
               field("code").max_length(6).pattern("^[0-9]{6}$").description("The emailed code"));
}

struct token_body {
  std::string token;
};
BOOST_DESCRIBE_STRUCT(token_body, (), (token))

constexpr auto keel_rules(const token_body*) {
  using namespace keel::dto;
  return rules(field("token").min_length(1).max_length(256).description("From the emailed link"));
}

struct password_reset_body {
  std::string token;
  std::string password;
};
BOOST_DESCRIBE_STRUCT(password_reset_body, (), (token, password))

constexpr auto keel_rules(const password_reset_body*) {
  using namespace keel::dto;
  return rules(field("token").min_length(1).max_length(256),
               field("password").min_length(8).max_length(128));
}

struct password_change_body {
  std::string current_password;
  std::string new_password;
};
BOOST_DESCRIBE_STRUCT(password_change_body, (), (current_password, new_password))

constexpr auto keel_rules(const password_change_body*) {
  using namespace keel::dto;
  return rules(field("current_password").min_length(1).max_length(128),
               field("new_password").min_length(8).max_length(128));
}

struct email_change_body {
  std::string new_email;
};
BOOST_DESCRIBE_STRUCT(email_change_body, (), (new_email))

constexpr auto keel_rules(const email_change_body*) {
  using namespace keel::dto;
  return rules(field("new_email")
                   .format(format::email)
                   .max_length(254)
                   .description("The confirmation link is mailed here"));
}

// ---- what goes out -------------------------------------------------------------------------

struct user_view {
  static constexpr std::string_view schema_name = "User";
  uuid id;
  std::string email;
  std::optional<std::string> name;
  bool email_verified = false;
  std::string role;
  timestamp created_at;
};
BOOST_DESCRIBE_STRUCT(user_view, (), (id, email, name, email_verified, role, created_at))

struct token_response {
  static constexpr std::string_view schema_name = "Tokens";
  std::string access_token;
  std::string token_type = "Bearer";
  int expires_in = 0;  // seconds until access_token expires
  // Absent for browsers (X-Client-Platform: web): they get an HttpOnly cookie instead.
  std::optional<std::string> refresh_token;
  user_view user;
};
BOOST_DESCRIBE_STRUCT(token_response, (),
                      (access_token, token_type, expires_in, refresh_token, user))

struct session_view {
  static constexpr std::string_view schema_name = "Session";
  uuid id;
  std::optional<std::string> user_agent;
  std::optional<std::string> ip;
  timestamp created_at;
  timestamp last_used_at;
  bool current = false;  // the session of the token that asked
};
BOOST_DESCRIBE_STRUCT(session_view, (), (id, user_agent, ip, created_at, last_used_at, current))

struct session_list {
  static constexpr std::string_view schema_name = "SessionList";
  std::vector<session_view> data;
};
BOOST_DESCRIBE_STRUCT(session_list, (), (data))

// ---- admin ---------------------------------------------------------------------------------

struct admin_user {
  static constexpr std::string_view schema_name = "AdminUser";
  uuid id;
  std::string email;
  std::optional<std::string> name;
  bool email_verified = false;
  std::string role;
  bool disabled = false;
  timestamp created_at;
};
BOOST_DESCRIBE_STRUCT(admin_user, (), (id, email, name, email_verified, role, disabled, created_at))

using admin_user_page = dto::page<admin_user>;

struct user_list_query {
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(user_list_query, (), (limit, cursor))

constexpr auto keel_rules(const user_list_query*) {
  using namespace keel::dto;
  return rules(field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

struct user_patch {
  std::optional<std::string> role;
  std::optional<bool> disabled;  // true ends every session of the user
};
BOOST_DESCRIBE_STRUCT(user_patch, (), (role, disabled))

constexpr auto keel_rules(const user_patch*) {
  using namespace keel::dto;
  return rules(field("role").one_of("user", "admin"));
}

}  // namespace keel::auth
