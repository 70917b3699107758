// Reading rows out of a libpq PGresult (text format).
#include "core/db/result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <string>

#include "core/db/error.hpp"

namespace keel::db {
namespace {

// libpq answers out-of-range lookups with a notice on stderr and an empty string;
// a wrong column index is a bug in the caller's store, so it is reported as one.
void check_column(const pg_result* res, int index, int column) {
  if (res == nullptr || column < 0 || column >= PQnfields(res) || index < 0 ||
      index >= PQntuples(res)) {
    throw error("column " + std::to_string(column) + " of row " + std::to_string(index) +
                " is out of range");
  }
}

}  // namespace

bool row::is_null(int column) const {
  check_column(res_, index_, column);
  return PQgetisnull(res_, index_, column) != 0;
}

std::string_view row::text(int column) const {
  check_column(res_, index_, column);
  return {PQgetvalue(res_, index_, column),
          static_cast<std::size_t>(PQgetlength(res_, index_, column))};
}

void row::null_in_non_optional(int column) const {
  const char* name = PQfname(res_, column);
  throw error("column " + std::string(name ? name : std::to_string(column)) +
              " is NULL; decode it as std::optional");
}

result::result(std::shared_ptr<pg_result> res) : res_(std::move(res)) {}

std::size_t result::size() const {
  return res_ ? static_cast<std::size_t>(PQntuples(res_.get())) : 0;
}

std::size_t result::affected_rows() const {
  if (!res_) return 0;
  std::string_view tuples = PQcmdTuples(res_.get());
  std::size_t n = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), n);
  return n;
}

int result::columns() const {
  return res_ ? PQnfields(res_.get()) : 0;
}

std::string_view result::column_name(int column) const {
  const char* name = res_ ? PQfname(res_.get(), column) : nullptr;
  if (name == nullptr) throw error("column " + std::to_string(column) + " is out of range");
  return name;
}

}  // namespace keel::db
