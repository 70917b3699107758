// Errors raised by the database layer.
#pragma once
#include <stdexcept>
#include <string>

namespace keel::db {

// A statement failed on the server (constraint, syntax, ...) or a value could not be decoded.
// The message is for logs; the HTTP layer never shows it to a client.
class error : public std::runtime_error {
 public:
  error(std::string message, std::string sqlstate = {})
      : std::runtime_error(std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }

 private:
  std::string sqlstate_;
};

// Pool exhaustion, a lost connection and statement timeouts are keel::unavailable (503),
// thrown with these codes so that callers and tests can tell them apart.
inline constexpr const char* pool_timeout_code = "db_pool_timeout";
inline constexpr const char* statement_timeout_code = "db_statement_timeout";
inline constexpr const char* connection_lost_code = "db_connection_lost";

}  // namespace keel::db
