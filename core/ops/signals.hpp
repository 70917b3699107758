// The alert hook's two halves: keel-api (and keel-worker) record what they served as samples
// in PostgreSQL, and keel-worker compares the samples and the job table with the thresholds and
// posts to ALERT_WEBHOOK_URL, at most once per ALERT_INTERVAL for each alert.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/ops/dto.hpp"
#include "core/ops/settings.hpp"

namespace boost::asio {
class io_context;
}
namespace keel::db {
class pool;
}
namespace keel::runtime {
class blocking_pool;
}

namespace keel::ops {

// The window the 5xx rate and the pool timeouts are judged over.
inline constexpr std::chrono::minutes signal_window{5};
// Fewer answers than this in the window make no rate worth alerting on.
inline constexpr std::int64_t min_requests_for_rate = 20;

// Every `interval` on `io`, records the growth of `totals` (counts since the start) as one
// sample of this instance. stop() ends it; call it before the pool closes.
class sampler {
 public:
  sampler(boost::asio::io_context& io, db::pool& db, std::chrono::milliseconds interval,
          std::function<sample()> totals);
  ~sampler();
  void start();
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

// Which alerts the signals call for, in words fit for a chat message; empty when none.
struct alert {
  std::string name;  // "jobs_discarded", "http_5xx", "db_pool_timeouts"
  std::string text;
};
std::vector<alert> alerts_for(std::int64_t discarded, const sample& window, const settings& s,
                              const alert_settings& a);

// Every check_interval on `io`, reads the signals and posts each alert due. Posting runs on
// `blocking` (libcurl's transfer is blocking), never on the loop.
class alerter {
 public:
  alerter(boost::asio::io_context& io, db::pool& db, runtime::blocking_pool& blocking,
          const settings& s, const alert_settings& a);
  ~alerter();
  void start();
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

// POSTs {"text": text} to `url` (Slack-compatible) and throws keel::unavailable unless it
// answers 2xx. Blocking: call it on a blocking pool's thread.
void post_webhook(const std::string& url, const std::string& text);

}  // namespace keel::ops
