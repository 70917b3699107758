// The admin status: what GET /api/v1/admin/status reports. Read on demand (a few indexed
// counts), so /health stays the constant-time answer load balancers poll.
#pragma once
#include <chrono>

#include "core/ops/dto.hpp"
#include "core/ops/settings.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::ops {

// The window discarded jobs are counted over, for the status and the alert alike.
inline constexpr std::chrono::hours discarded_window{1};

class service {
 public:
  // The uptime counts from here: build it with the program.
  service(db::pool& db, const settings& s);

  async<status> current();

 private:
  db::pool& db_;
  const settings& settings_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace keel::ops
