// What each upload purpose accepts (types, size, who may read it) and how keel checks that an
// object is what it was declared to be: the rules, apart from the I/O that applies them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/uuid.hpp"

namespace keel::uploads {

struct purpose {
  std::string_view name;
  std::uint64_t max_bytes;
  std::vector<std::string_view> content_types;
  bool is_public;  // served from S3_PUBLIC_BASE_URL (the CDN) to anyone
};

// The purpose called `name`, or null.
const purpose* find_purpose(std::string_view name);
// Every purpose's name, for the DTO's one_of and the docs.
std::vector<std::string_view> purpose_names();

bool is_image(std::string_view content_type);

// How many leading bytes content_matches() needs at most.
inline constexpr std::size_t magic_length = 16;
// Whether `head` (the object's first bytes) starts the way `content_type` files start: a text
// file named .png and sent as image/png does not.
bool content_matches(std::string_view content_type, std::string_view head);

// A client's file name reduced to letters, digits, '.', '-' and '_' (at most 100, never empty
// or starting with a dot), the last part of the object key uploads/<id>/<name>: so that no name
// can reach another key or break a URL.
std::string safe_file_name(std::string_view file_name);
// Where variant `size` of the upload lives: next to the original.
std::string variant_key(const uuid& id, int size);

}  // namespace keel::uploads
