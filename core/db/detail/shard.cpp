// Pooling on one event loop: hand-over to waiters, lazy connects, backoff, abandoned rollbacks.
#include "core/db/detail/shard.hpp"

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/error.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::db::detail {
namespace {

constexpr std::chrono::milliseconds first_backoff{50};
constexpr std::chrono::milliseconds max_backoff{2000};
// A connection idle this long is checked before use: the server may have closed it since.
constexpr std::uint64_t stale_ticks = 10;

[[noreturn]] void throw_closed() {
  throw unavailable("The database pool is closed.", connection_lost_code);
}

}  // namespace

shard::shard(boost::asio::io_context& io, const pool_options& options, int size)
    : io_(io), options_(options), size_(size) {}

shard::~shard() {
  if (watch_) watch_->owner = nullptr;  // the watchdog ends at its next tick
}

async<connection*> shard::acquire(bool for_pipeline) {
  ensure_watchdog();
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    if (closing_) throw_closed();
    if (for_pipeline && pick_pipe() != nullptr) co_return nullptr;
    while (!idle_.empty()) {
      connection* c = idle_.back();
      idle_.pop_back();
      if (clock_ - c->idle_since >= stale_ticks && !c->still_alive()) {
        discard(c);
        continue;
      }
      publish_stats();
      co_return c;
    }
    if (open_ + connecting_ < size_) {
      if (std::chrono::steady_clock::now() >= retry_at_) co_return co_await open_connection();
      // The server was unreachable a moment ago: with nothing open, fail fast (503) rather
      // than pile up requests; otherwise wait for a busy connection.
      if (open_ == 0) throw unavailable("The database is unavailable.", connection_lost_code);
    }

    if (!deadline) deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    waiter w(io_);
    w.for_pipeline = for_pipeline;
    w.timer.expires_at(*deadline);
    waiters_.push_back(&w);
    publish_stats();
    boost::system::error_code ec;
    co_await w.timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (w.conn != nullptr) co_return w.conn;  // release() already took it off the queue
    if (w.pipe_ready) co_return nullptr;
    if (!w.retry) {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &w));
      publish_stats();
      if (ec == boost::asio::error::operation_aborted) throw boost::system::system_error(ec);
      // A pipelined statement may still go behind a stalled pipe: execute() counts its own.
      if (!for_pipeline) timeouts_stat_.fetch_add(1, std::memory_order_relaxed);
      throw unavailable("No database connection became free in time.", pool_timeout_code);
    }
  }
}

async<result> shard::execute(std::string_view sql, const params& p) {
  const bool pipelining = options_.pipeline_depth > 0;
  connection* c = pipelining ? pick_pipe() : nullptr;
  while (c == nullptr) {
    bool timed_out = false;
    try {
      c = co_await acquire(pipelining);
    } catch (const unavailable& e) {
      if (!pipelining || e.code() != pool_timeout_code) throw;
      timed_out = true;
    }
    if (timed_out) {
      // No connection came back in time: behind the stalled pipe after all, rather than fail.
      c = stalled_pipe();
      if (c == nullptr) {
        timeouts_stat_.fetch_add(1, std::memory_order_relaxed);
        throw unavailable("No database connection became free in time.", pool_timeout_code);
      }
      break;
    }
    if (c == nullptr) {
      c = pick_pipe();  // another statement's connection became a pipe meanwhile
      continue;
    }
    if (!pipelining || !c->enter_pipeline()) {
      // Exclusive use, as a lease would have it.
      struct give_back {
        shard* s;
        connection* c;
        ~give_back() { s->release(c); }
      } held{this, c};
      co_return co_await c->execute(sql, p);
    }
    pipes_.push_back(c);
    wake_pipeline_waiters();
  }
  pipelined_statement s;
  s.sql = sql;
  s.values = &p;
  if (c->cork()) uncork_later(c);
  c->send_pipelined(s);
  // Suspends until the reader has the whole answer. The reader starts only once `resume` is
  // set, as co_spawn runs it inline up to its first wait.
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      [&](auto handler) {
        s.resume.emplace(std::move(handler));
        if (c->claim_reader()) boost::asio::co_spawn(io_, drive_pipe(c), boost::asio::detached);
      },
      boost::asio::use_awaitable);
  if (s.failure) std::rethrow_exception(s.failure);
  co_return std::move(s.value);
}

connection* shard::stalled_pipe() const {
  connection* least = nullptr;
  for (connection* c : pipes_) {
    if (c->broken()) continue;
    if (least == nullptr || c->pipeline_depth() < least->pipeline_depth()) least = c;
  }
  return least;
}

connection* shard::pick_pipe() const {
  // A waiter wants a connection of its own: let the pipes drain so that one comes back.
  if (closing_ || exclusive_waiting()) return nullptr;
  // The least busy pipe; one stuck on a slow statement would hold up everything queued
  // behind it, so it is the last resort.
  connection* best = nullptr;
  connection* stalled = nullptr;
  const auto now = std::chrono::steady_clock::now();
  for (connection* c : pipes_) {
    if (c->broken()) continue;
    connection*& slot = c->stalled(now) ? stalled : best;
    if (slot == nullptr || c->pipeline_depth() < slot->pipeline_depth()) slot = c;
  }
  bool free_connection = can_take_without_waiting();
  // A connection on its way, or one held outside the pipes (it comes back when its lease
  // ends), is worth a wait (acquire wakes pipeline waiters when a pipe forms, and falls back
  // to the stalled pipe when none came in time) rather than queueing behind a statement that
  // may be waiting for a lock for as long as the statement timeout.
  if (best == nullptr) {
    bool another_comes =
        free_connection || connecting_ > 0 || static_cast<int>(pipes_.size()) < open_;
    return another_comes ? nullptr : stalled;
  }
  if (best->pipeline_depth() >= static_cast<std::size_t>(options_.pipeline_depth) &&
      free_connection) {
    return nullptr;  // deep enough: spread over one more connection
  }
  return best;
}

bool shard::exclusive_waiting() const {
  return std::any_of(waiters_.begin(), waiters_.end(), [](waiter* w) { return !w->for_pipeline; });
}

void shard::wake_pipeline_waiters() {
  for (std::size_t i = waiters_.size(); i-- > 0;) {
    waiter* w = waiters_[i];
    if (!w->for_pipeline) continue;
    waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(i));
    w->pipe_ready = true;
    w->timer.cancel();
  }
  publish_stats();
}

bool shard::can_take_without_waiting() const {
  return !idle_.empty() ||
         (open_ + connecting_ < size_ && std::chrono::steady_clock::now() >= retry_at_);
}

async<void> shard::drive_pipe(connection* c) {
  co_await c->read_pipeline();
  // Drained: back to the pool at once, so that stats, stale checks and waiters see it as any
  // idle connection. The next statement makes it a pipe again at little cost.
  retire_pipe(c);
}

void shard::uncork_later(connection* c) {
  corked_.push_back(c);
  if (std::exchange(uncork_posted_, true)) return;
  // Runs after the handlers already queued in this loop turn: their statements join the batch.
  ensure_watchdog();
  boost::asio::post(io_, [state = watch_] {
    if (state->owner != nullptr) state->owner->uncork_all();
  });
}

void shard::uncork_all() {
  uncork_posted_ = false;
  for (connection* c : corked_) c->uncork();
  corked_.clear();
}

void shard::retire_pipe(connection* c) {
  std::erase(pipes_, c);
  if (!c->broken()) c->exit_pipeline();  // marks it broken when that fails
  release(c);
}

async<connection*> shard::open_connection() {
  ++connecting_;
  all_.push_back(std::make_unique<connection>(io_, options_, clock_));
  connection* c = all_.back().get();
  try {
    co_await c->connect();
  } catch (...) {
    --connecting_;
    std::erase_if(all_, [c](const auto& p) { return p.get() == c; });
    backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    throw;
  }
  --connecting_;
  ++open_;
  backoff_ = std::chrono::milliseconds(0);
  publish_stats();
  if (closing_) {
    discard(c);
    throw_closed();
  }
  co_return c;
}

void shard::release(connection* c) {
  if (c->broken() || c->session_modified() || closing_) {
    bool lost = c->lost();
    discard(c);
    // The server probably went away: the idle connections are dead too, and finding that
    // out one failed request at a time would turn one outage into many errors.
    if (lost) discard_idle();
    return;
  }
  if (c->in_transaction()) {
    // Abandoned mid-transaction (an exception, or no commit): roll back now, so that its
    // locks are not held until the connection happens to be used again.
    ++rolling_back_;
    boost::asio::co_spawn(io_, rollback_then_release(c), boost::asio::detached);
    return;
  }
  if (!c->idle_and_healthy()) {
    discard(c);  // a statement still in flight (its coroutine was destroyed)
    return;
  }
  make_available(c);
}

async<void> shard::rollback_then_release(connection* c) {
  try {
    co_await c->execute_unnamed("ROLLBACK", params{});
  } catch (const std::exception& e) {
    // The connection is marked broken and discarded below; nothing else to undo.
    log::warn("rolling back an abandoned transaction failed", {{"error", e.what()}});
  }
  --rolling_back_;
  release(c);
}

void shard::make_available(connection* c) {
  if (!waiters_.empty()) {
    waiter* w = waiters_.front();
    waiters_.pop_front();
    w->conn = c;
    w->timer.cancel();
    publish_stats();
    return;
  }
  c->idle_since = clock_;
  idle_.push_back(c);
  publish_stats();
}

void shard::discard(connection* c) {
  --open_;
  std::erase(corked_, c);
  std::erase_if(all_, [c](const auto& p) { return p.get() == c; });
  publish_stats();
  wake_one_to_retry();  // a slot is free: the first waiter may open a new connection
}

void shard::discard_idle() {
  while (!idle_.empty()) {
    connection* c = idle_.back();
    idle_.pop_back();
    discard(c);
  }
}

void shard::wake_one_to_retry() {
  if (waiters_.empty()) return;
  waiter* w = waiters_.front();
  waiters_.pop_front();
  w->retry = true;
  w->timer.cancel();
  publish_stats();
}

async<void> shard::close() {
  closing_ = true;
  while (!waiters_.empty()) wake_one_to_retry();
  boost::asio::steady_timer pause(io_);
  while (open_ + connecting_ > static_cast<int>(idle_.size())) {
    pause.expires_after(std::chrono::milliseconds(10));
    co_await pause.async_wait(boost::asio::use_awaitable);
  }
  discard_idle();
  if (watch_) {
    watch_->owner = nullptr;
    watch_->timer.cancel();
    watch_.reset();
  }
}

void shard::ensure_watchdog() {
  if (watch_) return;
  watch_ = std::make_shared<watch_state>(io_);
  watch_->owner = this;
  boost::asio::co_spawn(io_, watchdog(watch_), boost::asio::detached);
}

async<void> shard::watchdog(std::shared_ptr<watch_state> state) {
  for (;;) {
    state->timer.expires_after(watchdog_tick);
    boost::system::error_code ec;
    co_await state->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (state->owner == nullptr) co_return;
    state->owner->on_tick();
  }
}

void shard::on_tick() {
  ++clock_;
  for (auto& c : all_) c->check_deadline();
}

void shard::publish_stats() {
  open_stat_.store(open_, std::memory_order_relaxed);
  idle_stat_.store(static_cast<int>(idle_.size()), std::memory_order_relaxed);
  waiting_stat_.store(static_cast<int>(waiters_.size()), std::memory_order_relaxed);
}

}  // namespace keel::db::detail
