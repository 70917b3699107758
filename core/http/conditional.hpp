// Conditional GETs: entity tags, If-None-Match and the 304 answer (RFC 9110 section 13).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/response.hpp"

namespace keel::http {

class request;

// The strong tag of a version number: "3".
std::string etag_of_version(std::int64_t version);
// The version an entity tag names ("3" or W/"3", as If-Match sends it back); nullopt for
// anything else.
std::optional<std::int64_t> version_of_etag(std::string_view tag);
// A strong tag naming `body`'s bytes (a SHA-256 prefix), for answers without a version.
std::string etag_of_content(std::string_view body);

// Does If-None-Match name `etag` (or say *)? Compared weakly, as RFC 9110 asks for GET.
bool not_modified(const request& req, std::string_view etag);

// 304 without a body when If-None-Match names `etag`, else 200 with the JSON `body`; either
// way with ETag and Cache-Control (a 304 carries the headers the 200 would).
response conditional_json(const request& req, std::string body, const std::string& etag,
                          std::string cache_control);

}  // namespace keel::http
