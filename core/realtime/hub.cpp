// The hub's connections and subscriptions, per event loop, and their delivery.
#include "core/realtime/hub.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <set>

#include "core/metrics/registry.hpp"
#include "core/realtime/store.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::realtime {

namespace net = boost::asio;
using event_batch = std::vector<std::shared_ptr<const encoded_event>>;

// Everything here is touched only from its own loop's thread.
struct hub::loop_registry {
  explicit loop_registry(net::io_context& ioc) : session_timer(ioc) {}

  std::unordered_map<std::string, std::vector<subscription*>> channels;
  std::vector<client*> clients;
  net::steady_timer session_timer;
};

struct hub::stats {
  explicit stats(metrics::registry& m)
      : delivered(m.add_counter("keel_realtime_events_delivered_total",
                                "Events sent to a live connection (one per connection and event)")
                      .with({})),
        slow_consumers(m.add_counter("keel_realtime_slow_consumers_closed_total",
                                     "Connections closed because their send queue passed the bound")
                           .with({})),
        delay(m.add_histogram("keel_realtime_delivery_seconds",
                              "From an event's transaction to its delivery on this instance", {})
                  .with({})) {}

  metrics::counter& delivered;
  metrics::counter& slow_consumers;
  metrics::histogram& delay;
  std::atomic<long> websockets{0};
  std::atomic<long> streams{0};
  std::atomic<long> subscriptions{0};
};

hub::hub(runtime::event_loops& loops, db::pool& db, metrics::registry& metrics, settings cfg)
    : loops_(loops), db_(db), cfg_(std::move(cfg)), stats_(std::make_unique<stats>(metrics)) {
  for (int i = 0; i < loops_.size(); ++i) {
    registries_.push_back(std::make_unique<loop_registry>(loops_.loop(i)));
  }
  stats* s = stats_.get();
  metrics.add_gauge("keel_realtime_connections", "Live realtime connections on this instance",
                    [s] { return static_cast<double>(s->websockets.load()); },
                    {{"kind", "websocket"}});
  metrics.add_gauge("keel_realtime_connections", "Live realtime connections on this instance",
                    [s] { return static_cast<double>(s->streams.load()); }, {{"kind", "sse"}});
  metrics.add_gauge("keel_realtime_subscriptions", "Channel subscriptions on this instance",
                    [s] { return static_cast<double>(s->subscriptions.load()); });
}

hub::~hub() = default;

hub::loop_registry& hub::registry_of_current_loop() {
  return *registries_[static_cast<std::size_t>(runtime::event_loops::current_index())];
}

void hub::start() {
  for (int i = 0; i < loops_.size(); ++i) {
    net::co_spawn(loops_.loop(i), watch_sessions(i), net::detached);
  }
}

// ---- connections ---------------------------------------------------------------------------

bool hub::admit(const uuid& user) {
  if (stopping()) return false;
  std::lock_guard lock(admission_mutex_);
  int& held = per_user_[user];
  if (held >= cfg_.max_connections_per_user) return false;
  ++held;
  connections_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void hub::release(const uuid& user) {
  std::lock_guard lock(admission_mutex_);
  auto it = per_user_.find(user);
  if (it != per_user_.end() && --it->second <= 0) per_user_.erase(it);
  connections_.fetch_sub(1, std::memory_order_relaxed);
}

void hub::attach(client& c) {
  registry_of_current_loop().clients.push_back(&c);
  (c.kind() == client_kind::websocket ? stats_->websockets : stats_->streams)++;
}

void hub::detach(client& c) {
  auto& reg = registry_of_current_loop();
  while (!c.subscriptions().empty()) unsubscribe(c, c.subscriptions().begin()->first);
  std::erase(reg.clients, &c);
  (c.kind() == client_kind::websocket ? stats_->websockets : stats_->streams)--;
  release(c.who().user_id);
}

void hub::note_slow_consumer() {
  stats_->slow_consumers.inc();
}

// ---- subscriptions -------------------------------------------------------------------------

async<bool> hub::may_follow(const principal& who, const channel& c) {
  if (c.kind == channel_kind::user) co_return c.id == who.user_id;
  if (!rule_authorizer_) co_return false;
  bool allowed = co_await rule_authorizer_(who.user_id, c.id);
  co_return allowed;
}

async<subscribe_start> hub::subscribe(client& c, const std::string& channel,
                                      std::optional<std::int64_t> since) {
  auto [at, fresh] = c.subscriptions().try_emplace(channel, nullptr);
  subscribe_start start;
  if (!fresh) co_return start;  // subscribed already: nothing changes
  at->second = std::make_unique<subscription>();
  subscription* s = at->second.get();
  s->owner = &c;
  s->channel = channel;
  registry_of_current_loop().channels[channel].push_back(s);
  stats_->subscriptions++;

  // From here on, events of the channel reach this subscription (held until go_live).
  std::int64_t newest = co_await follow(channel);
  s->last_id = newest;
  if (!since || *since >= newest) co_return start;

  // Replay only a gap that is recent and short; otherwise the client refetches.
  std::optional<timestamp> seen_at;
  if (*since > 0) seen_at = co_await store::event_time(db_, *since);
  bool recent = seen_at && *seen_at >= now() - cfg_.replay_window;
  if (!recent) {
    start.reset = true;
    co_return start;
  }
  boost::json::value channels = boost::json::array{boost::json::value(channel)};
  auto missed = co_await store::events_after(db_, channels, *since, cfg_.replay_events + 1);
  std::size_t bytes = 0;
  for (const auto& e : missed) bytes += e.data.size();
  // A replay is sent at once; one that would fill most of the send queue is a reset instead.
  if (static_cast<int>(missed.size()) > cfg_.replay_events || bytes > cfg_.send_queue_bytes / 2) {
    start.reset = true;
    co_return start;
  }
  s->last_id = std::max(*since, missed.empty() ? *since : missed.back().id);
  for (auto& e : missed)
    start.replay.push_back(std::make_shared<encoded_event>(encode(std::move(e))));
  co_return start;
}

void hub::go_live(subscription& s) {
  s.live = true;
  auto held = std::move(s.held);
  for (const auto& e : held) {
    if (e->source.id <= s.last_id) continue;
    s.last_id = e->source.id;
    s.owner->send_event(s, e);
    stats_->delivered.inc();
  }
}

void hub::unsubscribe(client& c, const std::string& channel) {
  auto found = c.subscriptions().find(channel);
  if (found == c.subscriptions().end()) return;
  auto& reg = registry_of_current_loop();
  if (auto list = reg.channels.find(channel); list != reg.channels.end()) {
    std::erase(list->second, found->second.get());
    if (list->second.empty()) reg.channels.erase(list);
  }
  // `channel` may be the key of the node erased here (detach passes it): use it first.
  unfollow(channel);
  stats_->subscriptions--;
  c.subscriptions().erase(found);
}

// ---- delivery (on each loop) ---------------------------------------------------------------

void hub::deliver(int loop, const std::string& channel,
                  const std::shared_ptr<const event_batch>& batch) {
  auto& reg = *registries_[static_cast<std::size_t>(loop)];
  auto list = reg.channels.find(channel);
  if (list == reg.channels.end()) return;
  auto wall = now();
  for (const auto& e : *batch) {
    stats_->delay.observe(std::chrono::duration<double>(wall - e->source.created_at).count());
  }
  // send_event and close never unsubscribe synchronously, so the list stays as it is.
  for (subscription* s : list->second) {
    for (const auto& e : *batch) {
      if (!s->live) {
        // Bounded like a send queue: a subscription that never finishes starting is closed.
        if (s->held.size() >= static_cast<std::size_t>(cfg_.replay_events)) {
          s->owner->close(close_reason::slow_consumer);
          break;
        }
        s->held.push_back(e);
      } else if (e->source.id > s->last_id) {
        s->last_id = e->source.id;
        s->owner->send_event(*s, e);
        stats_->delivered.inc();
      }
    }
  }
}

// ---- ended sessions ------------------------------------------------------------------------

// Once a second: each connection's tick (keep-alive pings, closing deadlines), then auth is
// asked which of this loop's connections' sessions are still open and the others are closed,
// so a logout or a revocation on any instance reaches every instance. It runs on through a
// shutdown until the loop's last connection is gone, since closing ones still need ticks.
async<void> hub::watch_sessions(int loop) {
  auto& reg = *registries_[static_cast<std::size_t>(loop)];
  while (!stopping() || !reg.clients.empty()) {
    reg.session_timer.expires_after(std::chrono::seconds(1));
    co_await reg.session_timer.async_wait(net::as_tuple(net::use_awaitable));
    auto tick = std::chrono::steady_clock::now();
    // A tick may start closing a connection, never end it here: the list stays as it is.
    for (client* c : reg.clients) c->tick(tick);
    if (stopping() || reg.clients.empty() || !session_check_) continue;
    std::set<uuid> asked;
    for (client* c : reg.clients) asked.insert(c->who().session_id);
    std::vector<uuid> sessions(asked.begin(), asked.end());
    std::vector<uuid> open;
    try {
      open = co_await session_check_(sessions);
    } catch (const std::exception& e) {
      // The database is away: keep the connections rather than close everyone.
      log::warn("realtime: cannot check sessions", {{"error", e.what()}});
      continue;
    }
    std::set<uuid> still_open(open.begin(), open.end());
    for (client* c : reg.clients) {
      if (asked.contains(c->who().session_id) && !still_open.contains(c->who().session_id)) {
        c->close(close_reason::session_ended);
      }
    }
  }
}

// ---- shutdown ------------------------------------------------------------------------------

async<void> hub::close_all(std::chrono::milliseconds grace) {
  stopping_ = true;
  for (int i = 0; i < loops_.size(); ++i) {
    net::post(loops_.loop(i), [this, i] {
      auto& reg = *registries_[static_cast<std::size_t>(i)];
      for (client* c : reg.clients) c->close(close_reason::shutdown);
    });
  }
  auto executor = co_await net::this_coro::executor;
  net::steady_timer wait(executor);
  auto until = std::chrono::steady_clock::now() + grace;
  while (connection_count() > 0 && std::chrono::steady_clock::now() < until) {
    wait.expires_after(std::chrono::milliseconds(20));
    co_await wait.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace keel::realtime
