// The rows a statement returned, decoded on demand into C++ types.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "core/db/value.hpp"

struct pg_result;

namespace keel::db {

class row {
 public:
  row(const pg_result* res, int index) : res_(res), index_(index) {}

  bool is_null(int column) const;
  std::string_view text(int column) const;  // the raw text form

  // NULL decodes to nullopt for std::optional<T> and throws db::error for any other T.
  template <class T>
  T get(int column) const {
    if constexpr (is_optional<T>::value) {
      if (is_null(column)) return std::nullopt;
      return field_decoder<typename T::value_type>::decode(text(column));
    } else {
      if (is_null(column)) null_in_non_optional(column);
      return field_decoder<T>::decode(text(column));
    }
  }

 private:
  template <class T>
  struct is_optional : std::false_type {};
  template <class T>
  struct is_optional<std::optional<T>> : std::true_type {};
  [[noreturn]] void null_in_non_optional(int column) const;

  const pg_result* res_;
  int index_;
};

class result {
 public:
  result() = default;
  explicit result(std::shared_ptr<pg_result> res);

  std::size_t size() const;
  bool empty() const { return size() == 0; }
  row operator[](std::size_t i) const { return row(res_.get(), static_cast<int>(i)); }
  std::size_t affected_rows() const;  // for INSERT/UPDATE/DELETE without RETURNING
  int columns() const;
  std::string_view column_name(int column) const;

  class iterator {
   public:
    iterator(const pg_result* res, int i) : res_(res), i_(i) {}
    row operator*() const { return row(res_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& other) const { return i_ == other.i_; }

   private:
    const pg_result* res_;
    int i_;
  };
  iterator begin() const { return iterator(res_.get(), 0); }
  iterator end() const { return iterator(res_.get(), static_cast<int>(size())); }

 private:
  std::shared_ptr<pg_result> res_;
};

}  // namespace keel::db
