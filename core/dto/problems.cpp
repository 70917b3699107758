// How field paths are spelled: members joined by '.', elements as [i].
#include "core/dto/problems.hpp"

#include <utility>

namespace keel::dto {

problems::scope problems::enter_field(std::string_view name) {
  std::size_t keep = path_.size();
  if (!path_.empty()) path_ += '.';
  path_ += name;
  return scope(path_, keep);
}

problems::scope problems::enter_index(std::size_t index) {
  std::size_t keep = path_.size();
  path_ += '[';
  path_ += std::to_string(index);
  path_ += ']';
  return scope(path_, keep);
}

void problems::add(std::string message) {
  if (++found_ > max_listed) return;
  errors_.push_back({path_, std::move(message)});
}

void problems::add(std::string_view field, std::string message) {
  if (++found_ > max_listed) return;
  std::string at = path_;
  if (!at.empty() && !field.empty()) at += '.';
  at += field;
  errors_.push_back({std::move(at), std::move(message)});
}

void problems::throw_if_any() {
  if (found_ == 0) return;
  if (found_ > errors_.size()) errors_.push_back({"", std::string(more_message)});
  throw validation_failed(std::move(errors_));
}

}  // namespace keel::dto
