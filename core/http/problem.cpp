// Builds problem+json bodies and maps error kinds to statuses.
#include "core/http/problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "core/runtime/log.hpp"

namespace keel::http {
namespace {

constexpr std::string_view internal_detail = "An unexpected error occurred.";

response make(int status, std::string_view code, std::string_view detail,
              std::string_view request_id, const std::vector<field_error>* errors) {
  boost::json::object body;
  std::string type(problem_type_base);
  type += code;
  body["type"] = type;
  body["title"] = reason_phrase(status);
  body["status"] = status;
  body["detail"] = detail;
  body["code"] = code;
  body["request_id"] = request_id;
  if (errors != nullptr && !errors->empty()) {
    boost::json::array list;
    list.reserve(errors->size());
    for (const auto& e : *errors) {
      list.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    }
    body["errors"] = std::move(list);
  }
  response r;
  r.status = status;
  r.content_type = problem_content_type;
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace

int status_for(error_kind kind) {
  switch (kind) {
    case error_kind::bad_request:
      return 400;
    case error_kind::unauthorized:
      return 401;
    case error_kind::forbidden:
      return 403;
    case error_kind::not_found:
      return 404;
    case error_kind::method_not_allowed:
      return 405;
    case error_kind::conflict:
      return 409;
    case error_kind::gone:
      return 410;
    case error_kind::precondition_failed:
      return 412;
    case error_kind::payload_too_large:
      return 413;
    case error_kind::unsupported_media_type:
      return 415;
    case error_kind::validation_failed:
      return 422;
    case error_kind::too_many_requests:
      return 429;
    case error_kind::unavailable:
      return 503;
    case error_kind::internal:
      return 500;
  }
  return 500;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

response problem_response(const keel::error& e, std::string_view request_id) {
  if (e.kind() == error_kind::internal) {
    log::error(
        "internal error",
        {{"request_id", request_id}, {"code", e.code()}, {"error", std::string_view(e.what())}});
    return make(500, e.code(), internal_detail, request_id, nullptr);
  }
  int status = status_for(e.kind());
  response r = make(status, e.code(), e.detail(), request_id, &e.field_errors());
  if (e.kind() == error_kind::too_many_requests || e.retry_after_seconds()) {
    // A client that is told to wait must be told how long; 1 s when the thrower did not say.
    // A 503 says it only when the thrower knows (RFC 9110 10.2.3).
    int seconds = e.retry_after_seconds().value_or(1);
    r.with_header("Retry-After", std::to_string(seconds < 0 ? 0 : seconds));
  }
  return r;
}

response problem_response(const std::exception& e, std::string_view request_id) {
  // A typed error caught as std::exception still deserves its own status.
  if (const auto* typed = dynamic_cast<const keel::error*>(&e)) {
    return problem_response(*typed, request_id);
  }
  log::error("unhandled exception",
             {{"request_id", request_id}, {"error", std::string_view(e.what())}});
  return make(500, "internal", internal_detail, request_id, nullptr);
}

response problem_response(int status, std::string_view code, std::string_view detail,
                          std::string_view request_id) {
  return make(status, code, detail, request_id, nullptr);
}

}  // namespace keel::http
