// A UUID value (keel's primary keys are UUIDv7 made by the database).
#pragma once
#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace keel {

struct uuid {
  std::array<unsigned char, 16> bytes{};

  // Accepts the canonical 8-4-4-4-12 hex form, either case; nullopt otherwise.
  static std::optional<uuid> parse(std::string_view text);
  std::string str() const;  // canonical lower-case form

  auto operator<=>(const uuid&) const = default;
};

}  // namespace keel
