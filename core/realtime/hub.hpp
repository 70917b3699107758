// The instance's realtime hub: its live connections, registered per event loop (delivery on a
// loop takes no lock), and for each channel someone here follows, the newest event this
// instance has read of it. Told that a channel changed (by a commit here, or a notice from
// another instance through the broker), it reads what is new of that channel from the events
// table once and hands it to every loop.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/realtime/channels.hpp"
#include "core/realtime/client.hpp"
#include "core/realtime/settings.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}
namespace keel::metrics {
class registry;
}
namespace keel::runtime {
class event_loops;
}

namespace keel::realtime {

class broker;

// Whether user may follow the channel of `id` of one kind; the feature that owns the kind
// answers (rules for rule:<id>), wired by the program.
using channel_authorizer = std::function<async<bool>(const uuid& user, const uuid& id)>;
// Which of `sessions` are still open, of users not disabled: auth's answer, wired by the program.
using session_check = std::function<async<std::vector<uuid>>(const std::vector<uuid>& sessions)>;

// How a subscription starts: replayed events (oldest first), or reset when the gap since the
// client's last event is too old or too long to replay (it refetches through the API).
struct subscribe_start {
  bool reset = false;
  std::vector<std::shared_ptr<const encoded_event>> replay;
};

class hub {
 public:
  hub(runtime::event_loops& loops, db::pool& db, metrics::registry& metrics, settings cfg);
  ~hub();
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  // Wiring, before start().
  void set_rule_authorizer(channel_authorizer a) { rule_authorizer_ = std::move(a); }
  void set_session_check(session_check c) { session_check_ = std::move(c); }
  void set_broker(broker* b) { broker_ = b; }
  // Starts each loop's watcher that closes connections whose session ended (within ~1 s).
  void start();

  const settings& config() const { return cfg_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  // ---- connections (each call on the client's loop) ----
  // Counts a new connection of the user; false over the per-user limit or while stopping.
  bool admit(const uuid& user);
  void attach(client& c);
  // Drops the client's subscriptions and its admission. Call once, when it is gone.
  void detach(client& c);
  // Gives back an admission whose connection never attached (its handshake failed).
  void release(const uuid& user);
  // Counts a connection closed because it did not read (for /metrics).
  void note_slow_consumer();

  // ---- channels ----
  // Whether the caller may follow the channel: their own user channel, or a rule they own or
  // accepted an invite to.
  async<bool> may_follow(const principal& who, const channel& c);
  // Registers the subscription (not yet live) and works out where it starts: after `since`
  // when given (replay or reset), else after the newest event now. The caller sends the
  // replay, then calls go_live(), with no co_await between.
  async<subscribe_start> subscribe(client& c, const std::string& channel,
                                   std::optional<std::int64_t> since);
  // Sends what arrived meanwhile (newer than the replay) and lets events through from now on.
  void go_live(subscription& s);
  void unsubscribe(client& c, const std::string& channel);

  // ---- events ----
  // A channel has new events (a commit here, or a notice from another instance): read them
  // once for the whole instance and deliver them. Any thread that runs a loop.
  void channel_changed(const std::string& channel);
  // Reads what is new of every followed channel (after the broker was away: notices sent
  // meanwhile are lost, the events are not).
  void catch_up();

  // ---- shutdown ----
  // Closes every connection with 1001 and refuses new ones; completes when all are gone or
  // after `grace`.
  async<void> close_all(std::chrono::milliseconds grace);

  std::size_t connection_count() const { return connections_.load(std::memory_order_relaxed); }

 private:
  struct loop_registry;
  struct stats;
  // One channel someone here follows.
  struct followed {
    std::int64_t newest = 0;  // every event of the channel up to here was handed to the loops
    int followers = 0;        // subscriptions on this instance
    bool reading = false;     // a read_new() runs; a change meanwhile sets `again`
    bool again = false;
  };

  loop_registry& registry_of_current_loop();
  void deliver(
      int loop, const std::string& channel,
      const std::shared_ptr<const std::vector<std::shared_ptr<const encoded_event>>>& batch);
  async<std::int64_t> follow(const std::string& channel);
  void unfollow(const std::string& channel);
  async<void> read_new(std::string channel);
  async<void> watch_sessions(int loop);

  runtime::event_loops& loops_;
  db::pool& db_;
  settings cfg_;
  channel_authorizer rule_authorizer_;
  session_check session_check_;
  broker* broker_ = nullptr;
  std::vector<std::unique_ptr<loop_registry>> registries_;
  std::unique_ptr<stats> stats_;

  std::mutex followed_mutex_;  // the notice path only, never a delivery
  std::unordered_map<std::string, followed> followed_;
  std::mutex admission_mutex_;
  std::map<uuid, int> per_user_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace keel::realtime
