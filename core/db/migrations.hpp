// Applies schema/NNNN_name.sql files in order, once each, under an advisory lock.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/async.hpp"
#include "core/runtime/time.hpp"

namespace keel::db {

class pool;

struct migration_file {
  migration_file() = default;
  // From literals, strings and the generated file's string_views alike.
  migration_file(std::string_view name, std::string_view sql) : name(name), sql(sql) {}

  std::string name;  // "0001_init.sql": the order and the identity of a migration
  std::string sql;
};

// The files of schema/, compiled into the binary (see cmake/embed_migrations.cmake).
const std::vector<migration_file>& embedded_migrations();

struct migration_state {
  std::string name;
  bool applied = false;
  std::optional<timestamp> applied_at;
};

// Applies every pending file, each in its own transaction, recording its SHA-256.
// Throws keel::db::error naming the file when an applied file's checksum changed, or
// when a file fails (that file's transaction rolls back; earlier ones stay).
// Returns the names applied by this call. Concurrent callers serialize on the lock.
async<std::vector<std::string>> migrate(pool& db, const std::vector<migration_file>& files);

// Applied and pending files, in order; same checksum verification as migrate().
async<std::vector<migration_state>> migration_status(pool& db,
                                                     const std::vector<migration_file>& files);

}  // namespace keel::db
