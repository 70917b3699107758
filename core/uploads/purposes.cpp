// The purpose table and the content checks (see purposes.hpp).
#include "core/uploads/purposes.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace keel::uploads {
namespace {

constexpr std::uint64_t mib = 1024 * 1024;

const std::array<purpose, 2> purposes = {{
    {"community_avatar", 5 * mib, {"image/jpeg", "image/png", "image/webp", "image/gif"}, true},
    {"method_attachment",
     10 * mib,
     {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"},
     false},
}};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

const purpose* find_purpose(std::string_view name) {
  for (const auto& p : purposes) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string_view> purpose_names() {
  std::vector<std::string_view> out;
  for (const auto& p : purposes) out.push_back(p.name);
  return out;
}

bool is_image(std::string_view content_type) {
  return starts_with(content_type, "image/");
}

bool content_matches(std::string_view type, std::string_view head) {
  // The signatures each format's specification puts at offset 0.
  if (type == "image/jpeg") return starts_with(head, "\xFF\xD8\xFF");
  if (type == "image/png") return starts_with(head, "\x89PNG\r\n\x1A\n");
  if (type == "image/gif") return starts_with(head, "GIF87a") || starts_with(head, "GIF89a");
  if (type == "image/webp") return starts_with(head, "RIFF") && head.substr(8, 4) == "WEBP";
  if (type == "application/pdf") return starts_with(head, "%PDF-");
  return false;
}

std::string safe_file_name(std::string_view file_name) {
  std::string name;
  for (unsigned char c : file_name) {
    bool keep = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    if (keep) {
      name.push_back(static_cast<char>(c));
    } else if (!name.empty() && name.back() != '-') {
      name.push_back('-');
    }
    if (name.size() == 100) break;
  }
  // No hidden files and no "." or ".." segments.
  while (!name.empty() && (name.front() == '.' || name.front() == '-')) name.erase(0, 1);
  if (name.empty()) name = "file";
  return name;
}

std::string variant_key(const uuid& id, int size) {
  return "uploads/" + id.str() + "/variants/" + std::to_string(size) + ".webp";
}

}  // namespace keel::uploads
