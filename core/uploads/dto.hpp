// Uploads: what the API accepts and returns. Paths and field names are a contract with clients.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::uploads {

// ---- what comes in -------------------------------------------------------------------------

struct create_body {
  std::string purpose;
  std::string content_type;
  std::int64_t byte_length = 0;
  std::string file_name;
};
BOOST_DESCRIBE_STRUCT(create_body, (), (purpose, content_type, byte_length, file_name))

constexpr auto keel_rules(const create_body*) {
  using namespace keel::dto;
  return rules(
      field("purpose").one_of("community_avatar", "method_attachment"),
      field("content_type")
          .max_length(100)
          .description("community_avatar: image/jpeg, png, webp or gif (at most 5 MiB); "
                       "method_attachment: those or application/pdf (at most 10 MiB)"),
      field("byte_length").range(1, 10 * 1024 * 1024).description("The exact size in bytes"),
      field("file_name").min_length(1).max_length(255));
}

struct list_query {
  std::optional<std::string> purpose;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(list_query, (), (purpose, limit, cursor))

constexpr auto keel_rules(const list_query*) {
  using namespace keel::dto;
  return rules(field("purpose").one_of("community_avatar", "method_attachment"),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

// ---- what goes out -------------------------------------------------------------------------

// How the client sends the file: one PUT of the bytes to `url` with exactly these headers.
struct upload_instructions {
  std::string method;
  std::string url;
  boost::json::object headers;
};
BOOST_DESCRIBE_STRUCT(upload_instructions, (), (method, url, headers))

struct created_upload {
  uuid id;
  upload_instructions upload;
  timestamp expires_at;
};
BOOST_DESCRIBE_STRUCT(created_upload, (), (id, upload, expires_at))

struct variant_view {
  int size = 0;
  int width = 0;
  int height = 0;
  std::string url;
};
BOOST_DESCRIBE_STRUCT(variant_view, (), (size, width, height, url))

struct upload_view {
  uuid id;
  std::string purpose;
  std::string content_type;
  std::int64_t byte_length = 0;
  std::string status;
  // A presigned GET (private purposes) or the CDN URL (public ones); null until ready.
  std::optional<std::string> url;
  std::vector<variant_view> variants;
  std::optional<std::string> variants_error;
  timestamp created_at;
};
BOOST_DESCRIBE_STRUCT(upload_view, (),
                      (id, purpose, content_type, byte_length, status, url, variants,
                       variants_error, created_at))

constexpr auto keel_rules(const upload_view*) {
  using namespace keel::dto;
  return rules(field("status").one_of("pending", "ready", "rejected", "deleted"));
}

using upload_page = dto::page<upload_view>;

}  // namespace keel::uploads
