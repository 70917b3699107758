// Realtime across instances through Redis (or Valkey) pub/sub. After a commit the publishing
// instance sends a notice naming the channel; every other instance reads the channel's new
// events from PostgreSQL. A notice lost while Redis was away costs nothing but time: on
// reconnecting, each instance reads what is new of every channel it follows.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/redis/client.hpp"
#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}

namespace keel::realtime {

class hub;

// The pub/sub channel every instance listens on.
inline constexpr const char* notice_channel = "keel:realtime";

class broker {
 public:
  // `commands` sends the notices; the subscription is a connection of the broker's own (a
  // subscribed connection can do nothing else). `local` receives other instances' notices.
  broker(runtime::event_loops& loops, redis::client& commands, hub* local);
  ~broker();
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  // Subscribes on loop 0 and keeps reconnecting (with backoff) until stop().
  void start();
  async<void> stop();

  // Tells the other instances that `channel` has new events. Never throws: a notice Redis
  // did not take is sent again every half second until it does.
  void announce(const std::string& channel);

  bool subscribed() const { return subscribed_.load(std::memory_order_relaxed); }

 private:
  struct subscriber;
  async<void> listen();
  void on_notice(const redis::reply& r, std::chrono::milliseconds& backoff);
  async<void> send(std::string channel);
  async<void> resend_failed();

  runtime::event_loops& loops_;
  redis::client& commands_;
  hub* local_;
  const std::string instance_;  // notices from this instance are not read back
  std::unique_ptr<subscriber> subscriber_;
  std::atomic<bool> subscribed_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::mutex failed_mutex_;
  std::set<std::string> failed_;  // channels whose notice Redis did not take yet
};

}  // namespace keel::realtime
