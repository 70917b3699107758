// The migration runner: one advisory-locked session, one transaction per pending file.
#include "core/db/migrations.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <exception>
#include <map>

#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/hex.hpp"
#include "core/runtime/log.hpp"

namespace keel::db {
namespace {

// A fixed key ("keelmigr") so that every keel process contends for the same lock.
constexpr std::int64_t lock_key = 0x6b65656c6d696772;

constexpr std::string_view create_table = R"sql(
  create table if not exists schema_migrations (
    name       text primary key,
    checksum   text not null,
    applied_at timestamptz not null default now()
  )
)sql";

struct applied_file {
  std::string checksum;
  timestamp applied_at;
};
using applied_files = std::map<std::string, applied_file, std::less<>>;

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex::encode({reinterpret_cast<const char*>(digest), length});
}

// Name order is the order of migrations, whatever order the caller listed them in.
std::vector<const migration_file*> in_order(const std::vector<migration_file>& files) {
  std::vector<const migration_file*> ordered;
  ordered.reserve(files.size());
  for (const auto& f : files) ordered.push_back(&f);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  return ordered;
}

async<applied_files> read_applied(lease& l) {
  applied_files applied;
  auto rows = co_await l.query("select name, checksum, applied_at from schema_migrations");
  for (auto r : rows) {
    applied.emplace(r.get<std::string>(0),
                    applied_file{r.get<std::string>(1), r.get<timestamp>(2)});
  }
  co_return applied;
}

// A landed migration is never edited: a changed file means the schema and the code disagree.
void verify_checksums(const std::vector<migration_file>& files, const applied_files& applied) {
  for (const auto& f : files) {
    auto it = applied.find(f.name);
    if (it != applied.end() && it->second.checksum != sha256_hex(f.sql)) {
      throw error("migration " + f.name +
                  " was changed after it was applied (checksum mismatch); add a new migration "
                  "instead of editing it");
    }
  }
}

}  // namespace

async<std::vector<std::string>> migrate(pool& db, const std::vector<migration_file>& files) {
  lease l = co_await db.acquire();
  // A migration (or the wait for another migrator) may legitimately run long. The lease is
  // closed, not reused, afterwards, which also drops the session lock on any failure.
  co_await l.set_statement_timeout(std::chrono::milliseconds(0));
  co_await l.query("select pg_advisory_lock($1)", lock_key);
  co_await l.run_script(create_table);

  // Read after taking the lock: a migrator that waited now sees what the other one applied.
  applied_files applied = co_await read_applied(l);
  verify_checksums(files, applied);

  std::vector<std::string> done;
  for (const migration_file* f : in_order(files)) {
    if (applied.contains(f->name)) continue;
    std::exception_ptr failure;
    co_await l.run_script("begin");
    try {
      co_await l.run_script(f->sql);
      co_await l.query("insert into schema_migrations (name, checksum) values ($1, $2)", f->name,
                       sha256_hex(f->sql));
      co_await l.run_script("commit");
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      try {
        co_await l.run_script("rollback");
      } catch (const std::exception&) {
        // The connection is gone (and the transaction with it); the first error is the story.
      }
      try {
        std::rethrow_exception(failure);
      } catch (const error& e) {
        throw error("migration " + f->name + " failed: " + e.what(), e.sqlstate());
      }
    }
    log::info("migration applied", {{"name", f->name}});
    done.push_back(f->name);
  }
  co_await l.query("select pg_advisory_unlock($1)", lock_key);
  co_return done;
}

async<std::vector<migration_state>> migration_status(pool& db,
                                                     const std::vector<migration_file>& files) {
  lease l = co_await db.acquire();
  auto exists = co_await l.query("select to_regclass('schema_migrations') is not null");
  applied_files applied;
  if (exists[0].get<bool>(0)) applied = co_await read_applied(l);
  verify_checksums(files, applied);

  std::vector<migration_state> states;
  states.reserve(files.size());
  for (const migration_file* f : in_order(files)) {
    migration_state s{f->name, false, std::nullopt};
    if (auto it = applied.find(f->name); it != applied.end()) {
      s.applied = true;
      s.applied_at = it->second.applied_at;
    }
    states.push_back(std::move(s));
  }
  co_return states;
}

}  // namespace keel::db
