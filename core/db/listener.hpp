// LISTEN/NOTIFY on a dedicated connection outside the pool (the worker's wake-up call).
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/db/pool.hpp"
#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}

namespace keel::db {

struct notification {
  std::string channel;
  std::string payload;
  // True for the synthetic notification wait() returns after a reconnect: notifications
  // sent while the connection was down are lost, so the caller should look for work.
  bool reconnected = false;
};

// Not usable through PgBouncer transaction pooling (LISTEN needs a session): callers poll
// instead when options.pgbouncer_mode is set.
class listener {
 public:
  // The connection lives on loop `loop_index`; call every member from that loop.
  listener(runtime::event_loops& loops, int loop_index, pool_options options);
  ~listener();
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  // Subscribes to `channel` (connecting first if needed); remembered across reconnects.
  // A server that cannot be reached now is retried by wait(), which then says reconnected;
  // throws db::error for a channel the server refuses. Not while a wait() is pending.
  async<void> listen(std::string channel);

  // The next notification, or nullopt when none came within `timeout`. A lost connection is
  // re-established with backoff inside this call (never throws for that).
  async<std::optional<notification>> wait(std::chrono::milliseconds timeout);

  // Closes the connection; a pending wait() returns nullopt.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::db
