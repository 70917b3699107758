// Collects every field problem of one input so a client hears about all of them at once.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/error.hpp"

namespace keel::dto {

// Messages are recorded against the path being read ("items[2].name"); a cross-field
// check (keel_validate) adds its own with add(field, message).
//
// At most max_listed are kept: past that, readers stop (full()) and the answer ends with one
// more entry, field "" and message more_message, so the client knows the list is not whole.
// One hostile body cannot make a large answer or a long decode.
class problems {
 public:
  static constexpr std::size_t max_listed = 50;
  static constexpr std::string_view more_message =
      "more problems were found; only the first 50 are listed";

  // Restores the path when the reader leaves a member or an element.
  class scope {
   public:
    scope(std::string& path, std::size_t keep) : path_(path), keep_(keep) {}
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    ~scope() { path_.resize(keep_); }

   private:
    std::string& path_;
    std::size_t keep_;
  };

  [[nodiscard]] scope enter_field(std::string_view name);
  [[nodiscard]] scope enter_index(std::size_t index);

  void add(std::string message);                          // at the current path
  void add(std::string_view field, std::string message);  // at a member of the current path

  const std::string& path() const { return path_; }
  // Every problem found, listed or not: a reader compares sizes to know whether a part is valid.
  std::size_t size() const { return found_; }
  bool empty() const { return found_ == 0; }
  // True once a problem past max_listed was found: reading further would only cost time.
  bool full() const { return found_ > max_listed; }

  // Throws keel::validation_failed with everything recorded, if anything was.
  void throw_if_any();

 private:
  std::string path_;
  std::vector<field_error> errors_;
  std::size_t found_ = 0;
};

}  // namespace keel::dto
