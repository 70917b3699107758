// The parameter pointers libpq wants, built without allocating for most statements.
#pragma once
#include <array>
#include <vector>

#include "core/db/value.hpp"

namespace keel::db::detail {

// Most statements fit the inline array.
class param_pointers {
 public:
  explicit param_pointers(const params& p) {
    const auto& v = p.values();
    if (v.size() > inline_.size()) {
      heap_.resize(v.size());
      data_ = heap_.data();
    }
    for (std::size_t i = 0; i < v.size(); ++i) data_[i] = v[i] ? v[i]->c_str() : nullptr;
    count_ = static_cast<int>(v.size());
  }
  const char* const* data() const { return data_; }
  int count() const { return count_; }

 private:
  std::array<const char*, 16> inline_{};
  std::vector<const char*> heap_;
  const char** data_ = inline_.data();
  int count_ = 0;
};

}  // namespace keel::db::detail
