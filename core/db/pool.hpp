// The PostgreSQL connection pool: asynchronous libpq connections, one shard per event loop.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/result.hpp"
#include "core/db/value.hpp"
#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}  // namespace keel::runtime

namespace keel::db {

namespace detail {
class connection;
class shard;
}  // namespace detail

struct pool_options {
  std::string url;                                  // libpq URI or key=value string
  int size = 10;                                    // connections in all, split across loops
  std::chrono::milliseconds acquire_timeout{5000};  // then keel::unavailable (503)
  std::chrono::milliseconds statement_timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  bool pgbouncer_mode = false;  // transaction pooling: no named prepared statements
  std::string application_name = "keel";
  // pool::execute shares a connection among concurrent statements of one loop (libpq
  // pipeline mode) up to this many in flight before it takes another; 0: never shares.
  int pipeline_depth = 16;
};

struct pool_stats {
  int size = 0;                // connections allowed
  int open = 0;                // connections established
  int idle = 0;                // established and free
  int waiting = 0;             // acquirers waiting for a connection
  std::uint64_t timeouts = 0;  // acquirers that gave up waiting (503), since the start
};

// A connection taken from the pool; it goes back when the lease is destroyed.
// A lease that was in an unfinished transaction is rolled back before reuse.
class lease {
 public:
  lease() = default;
  lease(detail::shard* shard, detail::connection* conn) : shard_(shard), conn_(conn) {}
  lease(lease&& other) noexcept;
  lease& operator=(lease&& other) noexcept;
  ~lease();

  template <class... A>
  async<result> query(std::string_view sql, const A&... args) {
    return execute(sql, params::of(args...));
  }
  // `sql` must stay alive until the returned awaitable completes (a literal always does).
  async<result> execute(std::string_view sql, params p);

  // Several statements through the simple query protocol (a migration file); no parameters.
  async<void> run_script(std::string_view sql);

  // Sets this session's statement timeout (0: none), server- and client-side, for work that
  // legitimately runs long (migrations, advisory lock waits). The connection is closed
  // rather than reused when the lease ends, so the setting never leaks to other callers.
  async<void> set_statement_timeout(std::chrono::milliseconds timeout);

  explicit operator bool() const { return conn_ != nullptr; }

 private:
  friend class transaction;
  friend class pool;
  void give_back();
  void check_held() const;
  detail::shard* shard_ = nullptr;
  detail::connection* conn_ = nullptr;
};

// BEGIN on construction by pool::begin(); ROLLBACK unless commit() was awaited.
class transaction {
 public:
  explicit transaction(lease l) : lease_(std::move(l)) {}
  transaction(transaction&&) noexcept = default;
  ~transaction();

  template <class... A>
  async<result> query(std::string_view sql, const A&... args) {
    return execute(sql, params::of(args...));
  }
  async<result> execute(std::string_view sql, params p);
  // Runs every after_commit() action once COMMIT succeeded, in the order they were added.
  async<void> commit();
  async<void> rollback();

  // Something to do only if this transaction commits, once it has: telling other processes
  // about a change must not happen before the change is visible, nor for one rolled back.
  // The action runs on the committing loop right after COMMIT and must not block or throw.
  void after_commit(std::function<void()> action) { after_commit_.push_back(std::move(action)); }

 private:
  lease lease_;
  bool finished_ = false;
  std::vector<std::function<void()>> after_commit_;
};

class pool {
 public:
  pool(runtime::event_loops& loops, pool_options options);
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  // Runs one statement on a pooled connection of the calling loop.
  template <class... A>
  async<result> query(std::string_view sql, const A&... args) {
    return execute(sql, params::of(args...));
  }
  async<result> execute(std::string_view sql, params p);

  async<lease> acquire();
  async<transaction> begin();

  // Answers whether a trivial query succeeds within `timeout` (for /ready).
  async<bool> ping(std::chrono::milliseconds timeout);

  // Stops handing out connections, waits for leases to come back, closes every connection.
  async<void> close();

  pool_stats stats() const;
  const pool_options& options() const { return options_; }

 private:
  detail::shard& current_shard();
  runtime::event_loops& loops_;
  pool_options options_;
  std::vector<std::unique_ptr<detail::shard>> shards_;
};

}  // namespace keel::db
