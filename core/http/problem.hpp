// RFC 9457 problem+json responses: the one place errors become HTTP.
#pragma once
#include <exception>
#include <string_view>

#include "core/http/response.hpp"
#include "core/runtime/error.hpp"

namespace keel::http {

// "https://keel.dev/problems/" + code: a stable identifier per code, never a live page.
inline constexpr std::string_view problem_type_base = "https://keel.dev/problems/";
inline constexpr std::string_view problem_content_type = "application/problem+json";

int status_for(error_kind kind);
std::string_view reason_phrase(int status);  // "Not Found"; "Unknown" for others

// The problem for a typed error; 429 carries Retry-After. An error of kind `internal`
// shows a generic detail and logs its own.
response problem_response(const keel::error& e, std::string_view request_id);

// The problem for anything else a handler threw: 500, code "internal", no internals in
// the body; what() is logged at error level with the request id.
response problem_response(const std::exception& e, std::string_view request_id);

// A problem the server itself raises (408 slow client, 431 huge headers, ...).
response problem_response(int status, std::string_view code, std::string_view detail,
                          std::string_view request_id);

}  // namespace keel::http
