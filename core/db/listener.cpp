// LISTEN/NOTIFY: one libpq connection of its own, re-established with backoff when lost.
#include "core/db/listener.hpp"

#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <vector>

#include "core/db/detail/connection.hpp"
#include "core/db/error.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::db {
namespace {

using steady = std::chrono::steady_clock;

constexpr std::chrono::milliseconds first_backoff{50};
constexpr std::chrono::milliseconds max_backoff{2000};

std::chrono::milliseconds until(steady::time_point t) {
  return std::chrono::ceil<std::chrono::milliseconds>(t - steady::now());
}

}  // namespace

struct listener::impl {
  impl(boost::asio::io_context& io, pool_options o)
      : io_(io), options_(std::move(o)), sleeper_(io) {}

  async<void> listen(std::string channel);
  async<std::optional<notification>> wait(std::chrono::milliseconds timeout);
  void close();

 private:
  async<bool> try_connect();
  async<void> send_listen(const std::string& channel);
  async<void> sleep_until(steady::time_point t);
  void take_notifications();
  void drop_connection(std::string_view why);

  // Bounds one step by a timer: the connection's own deadlines need a watchdog we lack.
  // wait_for_one, not awaitable operator ||: that one waits out the timer after a failure.
  template <class T>
  async<T> within(async<T> step, std::chrono::milliseconds limit) {
    namespace ex = boost::asio::experimental;
    boost::asio::steady_timer timer(io_, limit);
    auto group =
        ex::make_parallel_group(boost::asio::co_spawn(io_, std::move(step), boost::asio::deferred),
                                timer.async_wait(boost::asio::deferred));
    auto outcome =
        co_await std::move(group).async_wait(ex::wait_for_one(), boost::asio::use_awaitable);
    if (std::get<0>(outcome)[0] == 1) {
      throw unavailable("The database did not answer in time.", statement_timeout_code);
    }
    if (auto failure = std::get<1>(outcome)) std::rethrow_exception(failure);
    if constexpr (!std::is_void_v<T>) co_return std::move(std::get<2>(outcome));
  }

  boost::asio::io_context& io_;
  const pool_options options_;  // the connection keeps a reference: it lives as long as this
  const std::uint64_t never_ticks_ = 0;
  boost::asio::steady_timer sleeper_;  // the backoff pause; close() cuts it short

  std::unique_ptr<detail::connection> conn_;
  bool ready_ = false;  // conn_ is connected and listens on every channel
  bool busy_ = false;   // a coroutine is awaiting conn_: close() must not destroy it
  bool closed_ = false;
  bool connected_once_ = false;
  std::chrono::milliseconds backoff_{0};
  steady::time_point retry_at_{};

  std::vector<std::string> channels_;
  std::deque<notification> pending_;
};

async<void> listener::impl::listen(std::string channel) {
  if (closed_) throw error("the listener is closed");
  if (busy_) throw error("listen() cannot run while wait() is pending");
  if (channel.empty()) throw error("a LISTEN channel name cannot be empty");
  for (const auto& c : channels_) {
    if (c == channel) co_return;
  }
  if (!ready_) {
    // Connecting LISTENs on every remembered channel, this one included. A server that
    // cannot be reached now is retried by wait(), which then reports reconnected.
    channels_.push_back(std::move(channel));
    co_await try_connect();
    co_return;
  }
  busy_ = true;
  try {
    co_await send_listen(channel);
  } catch (const unavailable&) {
    busy_ = false;
    drop_connection("listen");
    channels_.push_back(std::move(channel));  // wait() reconnects and listens on it
    co_return;
  } catch (...) {
    busy_ = false;
    if (closed_) drop_connection("close");
    throw;  // a channel the server refuses is not remembered
  }
  busy_ = false;
  if (closed_) drop_connection("close");
  channels_.push_back(std::move(channel));
  take_notifications();
}

async<std::optional<notification>> listener::impl::wait(std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  for (;;) {
    if (closed_) co_return std::nullopt;
    if (!pending_.empty()) {
      notification n = std::move(pending_.front());
      pending_.pop_front();
      co_return n;
    }
    if (!ready_) {
      if (steady::now() >= deadline) co_return std::nullopt;
      if (steady::now() < retry_at_) {
        co_await sleep_until(std::min(retry_at_, deadline));
        continue;
      }
      co_await try_connect();
      continue;
    }
    auto left = until(deadline);
    if (left.count() <= 0) co_return std::nullopt;
    busy_ = true;
    try {
      co_await conn_->wait_input_for(left);
      busy_ = false;
    } catch (const std::exception& e) {
      busy_ = false;
      if (closed_) {
        drop_connection("close");
        co_return std::nullopt;
      }
      take_notifications();  // what arrived before the connection broke still counts
      drop_connection(e.what());
      continue;
    }
    take_notifications();
  }
}

void listener::impl::close() {
  closed_ = true;
  sleeper_.cancel();
  if (busy_) {
    conn_->cancel();  // the awaiting coroutine wakes and drops the connection
  } else {
    drop_connection("close");
  }
}

async<bool> listener::impl::try_connect() {
  conn_ = std::make_unique<detail::connection>(io_, options_, never_ticks_);
  busy_ = true;
  try {
    co_await within(conn_->connect(), options_.connect_timeout);
    for (const auto& channel : channels_) co_await send_listen(channel);
  } catch (const std::exception& e) {
    busy_ = false;
    drop_connection(e.what());
    if (!closed_) {
      backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
      retry_at_ = steady::now() + backoff_;
    }
    co_return false;
  }
  busy_ = false;
  if (closed_) {
    drop_connection("close");
    co_return false;
  }
  ready_ = true;
  backoff_ = std::chrono::milliseconds(0);
  // Whatever was sent while no connection listened is lost: tell the caller to look.
  if (connected_once_) pending_.push_back(notification{{}, {}, true});
  connected_once_ = true;
  take_notifications();
  co_return true;
}

async<void> listener::impl::send_listen(const std::string& channel) {
  char* quoted = PQescapeIdentifier(conn_->native(), channel.c_str(), channel.size());
  if (quoted == nullptr) throw error("cannot quote the channel name " + channel);
  std::string sql = std::string("LISTEN ") + quoted;
  PQfreemem(quoted);
  co_await within(conn_->execute_unnamed(sql, params{}), options_.statement_timeout);
}

async<void> listener::impl::sleep_until(steady::time_point t) {
  sleeper_.expires_at(t);
  boost::system::error_code ec;
  co_await sleeper_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

void listener::impl::take_notifications() {
  if (!conn_) return;
  while (PGnotify* n = PQnotifies(conn_->native())) {
    pending_.push_back(notification{n->relname, n->extra ? n->extra : "", false});
    PQfreemem(n);
  }
}

void listener::impl::drop_connection(std::string_view why) {
  if (!conn_) return;
  if (ready_ && !closed_) log::warn("database listener lost its connection", {{"error", why}});
  ready_ = false;
  conn_.reset();
}

// ---- listener ----

listener::listener(runtime::event_loops& loops, int loop_index, pool_options options)
    : impl_(std::make_unique<impl>(loops.loop(loop_index), std::move(options))) {}

listener::~listener() = default;

async<void> listener::listen(std::string channel) {
  return impl_->listen(std::move(channel));
}

async<std::optional<notification>> listener::wait(std::chrono::milliseconds timeout) {
  return impl_->wait(timeout);
}

void listener::close() {
  impl_->close();
}

}  // namespace keel::db
