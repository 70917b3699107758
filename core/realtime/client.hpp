// A live connection (WebSocket or SSE) as the hub sees it: it receives events of the channels
// it subscribed to and can be told to close. Each lives on one event loop and is touched only
// from that loop's thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/realtime/event.hpp"
#include "core/runtime/principal.hpp"

namespace keel::realtime {

enum class client_kind { websocket, sse };

// Why the server ends a connection; each has its WebSocket close code.
enum class close_reason {
  shutdown,       // 1001: the instance stops; reconnect elsewhere
  session_ended,  // 4001: logout, revocation, password reset, disabled account
  slow_consumer,  // 1008: its send queue passed the bound
  policy,         // 1008: too many messages, or a message that is not the protocol
};

class client;

// One channel of one client. While `live` is false the subscription is being set up (its
// starting point looked up, missed events replayed) and events that arrive wait in `held`.
struct subscription {
  client* owner = nullptr;
  std::string channel;
  std::int64_t last_id = 0;  // the newest event this client got (or skipped) on the channel
  bool live = false;
  std::vector<std::shared_ptr<const encoded_event>> held;
};

class client {
 public:
  client(client_kind kind, principal who) : kind_(kind), who_(std::move(who)) {}
  virtual ~client() = default;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  client_kind kind() const { return kind_; }
  const principal& who() const { return who_; }

  // Queues an event for sending. A client whose queue is past its bound closes itself as a
  // slow consumer instead of growing.
  virtual void send_event(const subscription& s, const std::shared_ptr<const encoded_event>& e) = 0;
  // Starts closing; the connection's own coroutines finish it. Safe to call twice.
  virtual void close(close_reason why) = 0;
  // Called about once a second on the client's loop (keep-alive pings, closing deadlines),
  // so that an idle connection needs no timer of its own.
  virtual void tick(std::chrono::steady_clock::time_point) {}

  std::map<std::string, std::unique_ptr<subscription>, std::less<>>& subscriptions() {
    return subscriptions_;
  }

 private:
  client_kind kind_;
  principal who_;
  std::map<std::string, std::unique_ptr<subscription>, std::less<>> subscriptions_;
};

}  // namespace keel::realtime
