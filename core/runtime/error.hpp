// Typed errors that services throw; the HTTP layer alone turns them into problem+json.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace keel {

// What went wrong, independent of any transport. http/problem maps it to a status.
enum class error_kind {
  bad_request,             // the input could not be read at all (malformed JSON, bad query)
  unauthorized,            // no or invalid credentials
  forbidden,               // authenticated but not allowed
  not_found,               // the resource does not exist
  method_not_allowed,      // the path exists, the method does not
  conflict,                // the write collides with existing state
  gone,                    // the resource existed and is no longer usable (an expired link)
  precondition_failed,     // If-Match named a version that is no longer current
  payload_too_large,       // the body exceeds the limit
  unsupported_media_type,  // the body is not in a type the route reads
  validation_failed,       // the input was read but breaks the contract
  too_many_requests,       // a rate limit or lockout is in force
  unavailable,             // a dependency is down or a pool is exhausted
  internal,                // a bug or an unexpected failure: no details leave the process
};

struct field_error {
  std::string field;
  std::string message;
};

class error : public std::runtime_error {
 public:
  // `code` is a stable machine-readable name (snake_case, e.g. "email_taken"),
  // `detail` a sentence for a human that is safe to show to the client.
  error(error_kind kind, std::string code, std::string detail);

  error_kind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::vector<field_error>& field_errors() const { return field_errors_; }
  std::optional<int> retry_after_seconds() const { return retry_after_seconds_; }

 protected:
  std::vector<field_error> field_errors_;
  std::optional<int> retry_after_seconds_;

 private:
  error_kind kind_;
  std::string code_;
  std::string detail_;
};

struct bad_request : error {
  explicit bad_request(std::string detail, std::string code = "bad_request");
};
struct unauthorized : error {
  explicit unauthorized(std::string detail = "Authentication is required.",
                        std::string code = "unauthorized");
};
struct forbidden : error {
  explicit forbidden(std::string detail = "You are not allowed to do this.",
                     std::string code = "forbidden");
};
struct not_found : error {
  explicit not_found(std::string detail, std::string code = "not_found");
};
struct conflict : error {
  explicit conflict(std::string detail, std::string code = "conflict");
};
struct gone : error {
  explicit gone(std::string detail, std::string code = "gone");
};
struct precondition_failed : error {
  explicit precondition_failed(std::string detail, std::string code = "precondition_failed");
};
struct validation_failed : error {
  explicit validation_failed(std::vector<field_error> errors);
};
struct too_many_requests : error {
  too_many_requests(int retry_after_seconds, std::string detail = "Too many requests.",
                    std::string code = "rate_limited");
};
struct unavailable : error {
  // `retry_after_seconds` when the thrower knows the condition is brief (a full queue): the
  // client is told when to come back (Retry-After).
  explicit unavailable(std::string detail, std::string code = "unavailable",
                       std::optional<int> retry_after_seconds = std::nullopt);
};

}  // namespace keel
