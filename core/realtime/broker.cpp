// The pub/sub side of Redis on Asio: one subscribed connection per instance, over the same
// TCP-or-TLS stream as the Redis client, so that no hiredis event loop is involved.
#include "core/realtime/broker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <random>
#include <vector>

#include "core/realtime/hub.hpp"
#include "core/redis/detail/stream.hpp"
#include "core/redis/url.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::realtime {

namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{2000};
constexpr std::chrono::seconds connect_timeout{2};

std::string new_instance_id() {
  std::random_device device;
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(16, '0');
  for (auto& c : id) c = digits[device() & 0xf];
  return id;
}

}  // namespace

// On loop 0 only. `current` is the connection of the moment, for stop() to close.
struct broker::subscriber {
  explicit subscriber(net::io_context& ioc) : io(ioc), timer(ioc) {}
  net::io_context& io;
  std::shared_ptr<redis::detail::stream> current;
  net::steady_timer timer;  // the backoff
};

broker::broker(runtime::event_loops& loops, redis::client& commands, hub* local)
    : loops_(loops),
      commands_(commands),
      local_(local),
      instance_(new_instance_id()),
      subscriber_(std::make_unique<subscriber>(loops.loop(0))) {}

broker::~broker() = default;

void broker::start() {
  listening_ = true;
  net::co_spawn(loops_.loop(0), listen(), net::detached);
  net::co_spawn(loops_.loop(0), resend_failed(), net::detached);
}

async<void> broker::stop() {
  stopping_ = true;
  net::post(loops_.loop(0), [this] {
    subscriber_->timer.cancel();
    if (subscriber_->current) subscriber_->current->close();
  });
  // Let the listening coroutine see the close before the broker can be destroyed.
  auto executor = co_await net::this_coro::executor;
  net::steady_timer wait(executor);
  for (int i = 0; i < 100 && listening_; ++i) {
    wait.expires_after(std::chrono::milliseconds(10));
    co_await wait.async_wait(use_tuple);
  }
}

void broker::announce(const std::string& channel) {
  net::co_spawn(loops_.loop(runtime::event_loops::current_index()), send(channel), net::detached);
}

// `channel` by value: the coroutine is spawned and outlives the caller's string.
async<void> broker::send(std::string channel) {
  std::vector<std::string> args{"PUBLISH", notice_channel, instance_ + " " + channel};
  try {
    co_await commands_.command(args);
  } catch (const std::exception& e) {
    std::lock_guard lock(failed_mutex_);
    if (failed_.empty()) {
      log::warn("realtime: cannot announce events to other instances; retrying",
                {{"error", e.what()}});
    }
    failed_.insert(std::move(channel));
  }
}

// A notice lost with Redis would leave other instances' subscribers waiting for the next
// change of that channel; so until Redis takes it, it is sent again.
async<void> broker::resend_failed() {
  net::steady_timer timer(co_await net::this_coro::executor);
  while (!stopping_) {
    timer.expires_after(std::chrono::milliseconds(500));
    co_await timer.async_wait(use_tuple);
    std::set<std::string> retry;
    {
      std::lock_guard lock(failed_mutex_);
      retry.swap(failed_);
    }
    for (const auto& channel : retry) co_await send(channel);
  }
}

// Connects, subscribes, then reads notices until the connection fails; again after a backoff.
async<void> broker::listen() {
  auto where = redis::parse_url(commands_.settings().url);
  std::shared_ptr<net::ssl::context> tls;
  try {
    if (where) tls = redis::detail::tls_context_for(*where, commands_.settings());
  } catch (const std::exception& e) {
    log::error("realtime: the Redis CA file cannot be used", {{"error", e.what()}});
    where.reset();
  }
  if (!where) {
    log::error("realtime: REDIS_URL cannot be used for the subscription");
    listening_ = false;
    co_return;
  }
  auto& s = *subscriber_;
  auto backoff = first_backoff;
  while (!stopping_) {
    s.current = std::make_shared<redis::detail::stream>(s.io, tls);
    try {
      co_await s.current->connect(*where, connect_timeout);
      static const std::vector<std::string> subscribe{"SUBSCRIBE", notice_channel};
      std::string request;
      redis::detail::append_command(request, subscribe);
      co_await s.current->write(request);
      while (!stopping_) on_notice(co_await s.current->read(), backoff);
    } catch (const std::exception& e) {
      log::debug("realtime: the Redis subscription failed", {{"error", e.what()}});
    }
    if (subscribed_) log::warn("realtime: lost the Redis subscription; reconnecting");
    subscribed_ = false;
    s.current->close();
    if (stopping_) break;
    s.timer.expires_after(backoff);
    co_await s.timer.async_wait(use_tuple);
    backoff = std::min(backoff * 2, max_backoff);
  }
  listening_ = false;
}

// One reply on the subscribed connection: SUBSCRIBE's confirmation or a notice.
void broker::on_notice(const redis::reply& r, std::chrono::milliseconds& backoff) {
  if (r.type == redis::reply::kind::error) {
    // The message never quotes the password.
    log::warn("realtime: Redis refused the subscription", {{"error", r.text}});
    throw std::runtime_error("Redis refused SUBSCRIBE");
  }
  if (r.type != redis::reply::kind::array || r.elements.size() < 3) return;
  const std::string& kind = r.elements[0].text;
  if (kind == "subscribe") {
    subscribed_ = true;
    backoff = first_backoff;
    log::info("realtime: subscribed to other instances' notices");
    // Notices sent while this connection was away are lost; the events are not.
    if (local_ != nullptr) local_->catch_up();
  } else if (kind == "message") {
    std::string_view notice = r.elements[2].text;
    auto space = notice.find(' ');
    if (space == std::string_view::npos || notice.substr(0, space) == instance_) return;
    if (local_ != nullptr) local_->channel_changed(std::string(notice.substr(space + 1)));
  }
}

}  // namespace keel::realtime
