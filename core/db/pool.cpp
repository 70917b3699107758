// The pool's public face: routing to the calling loop's shard, leases and transactions.
#include "core/db/pool.hpp"

#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/detail/connection.hpp"
#include "core/db/detail/shard.hpp"
#include "core/db/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::db {

// ---- lease ----

lease::lease(lease&& other) noexcept
    : shard_(std::exchange(other.shard_, nullptr)), conn_(std::exchange(other.conn_, nullptr)) {}

lease& lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    give_back();
    shard_ = std::exchange(other.shard_, nullptr);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

lease::~lease() {
  give_back();
}

void lease::give_back() {
  if (conn_ != nullptr) shard_->release(std::exchange(conn_, nullptr));
}

void lease::check_held() const {
  if (conn_ == nullptr) throw error("the lease holds no connection (moved from or finished)");
}

async<result> lease::execute(std::string_view sql, params p) {
  check_held();
  co_return co_await conn_->execute(sql, p);
}

async<void> lease::run_script(std::string_view sql) {
  check_held();
  co_await conn_->run_script(sql);
}

async<void> lease::set_statement_timeout(std::chrono::milliseconds timeout) {
  check_held();
  co_await conn_->set_statement_timeout(timeout);
}

// ---- transaction ----

// Nothing to do here: the lease's release sees the open transaction and rolls it back.
transaction::~transaction() = default;

async<result> transaction::execute(std::string_view sql, params p) {
  if (finished_) throw error("the transaction is already committed or rolled back");
  co_return co_await lease_.execute(sql, std::move(p));
}

async<void> transaction::commit() {
  if (finished_) throw error("the transaction is already committed or rolled back");
  lease_.check_held();
  finished_ = true;
  // COMMIT of a failed transaction "succeeds" as a rollback; say what really happened.
  if (PQtransactionStatus(lease_.conn_->native()) == PQTRANS_INERROR) {
    co_await lease_.conn_->execute_unnamed("ROLLBACK", params{});
    lease_.give_back();
    throw error("the transaction was rolled back because a statement in it failed", "25P02");
  }
  co_await lease_.conn_->execute_unnamed("COMMIT", params{});
  lease_.give_back();  // back to the pool now, not when this object goes out of scope
  auto actions = std::move(after_commit_);
  for (auto& action : actions) action();
}

async<void> transaction::rollback() {
  if (finished_) throw error("the transaction is already committed or rolled back");
  lease_.check_held();
  finished_ = true;
  co_await lease_.conn_->execute_unnamed("ROLLBACK", params{});
  lease_.give_back();
}

// ---- pool ----

pool::pool(runtime::event_loops& loops, pool_options options)
    : loops_(loops), options_(std::move(options)) {
  int loop_count = loops_.size();
  int size = std::max(options_.size, 1);
  shards_.reserve(loop_count);
  for (int i = 0; i < loop_count; ++i) {
    // Every loop gets at least one connection so that no loop has to hop to another.
    int share = std::max(1, size / loop_count + (i < size % loop_count ? 1 : 0));
    shards_.push_back(std::make_unique<detail::shard>(loops_.loop(i), options_, share));
  }
}

pool::~pool() = default;

detail::shard& pool::current_shard() {
  return *shards_[static_cast<std::size_t>(runtime::event_loops::current_index()) % shards_.size()];
}

async<result> pool::execute(std::string_view sql, params p) {
  co_return co_await current_shard().execute(sql, p);
}

async<lease> pool::acquire() {
  auto& s = current_shard();
  detail::connection* c = co_await s.acquire();
  co_return lease(&s, c);
}

async<transaction> pool::begin() {
  auto& s = current_shard();
  lease held(&s, co_await s.acquire());
  co_await held.conn_->execute_unnamed("BEGIN", params{});
  co_return transaction(std::move(held));
}

async<bool> pool::ping(std::chrono::milliseconds timeout) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, timeout);
  // `||` waits for the first operation to *succeed*: a probe that threw would leave it waiting
  // for the timer, so a database that refuses at once took the whole timeout to report. The
  // probe therefore never throws; it answers false instead.
  auto probe = [this]() -> async<bool> {
    try {
      // On a connection of its own: a pipelined statement cannot be cancelled by the timer.
      auto l = co_await acquire();
      co_await l.execute("select 1", params{});
      co_return true;
    } catch (const std::exception& e) {
      log::debug("database ping failed", {{"error", e.what()}});
      co_return false;
    }
  };
  auto winner = co_await (probe() || timer.async_wait(boost::asio::use_awaitable));
  co_return winner.index() == 0 && std::get<0>(winner);
}

async<void> pool::close() {
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    co_await boost::asio::co_spawn(loops_.loop(static_cast<int>(i)), shards_[i]->close(),
                                   boost::asio::use_awaitable);
  }
}

pool_stats pool::stats() const {
  pool_stats s;
  for (const auto& shard : shards_) {
    s.size += shard->size();
    s.open += shard->open_count();
    s.idle += shard->idle_count();
    s.waiting += shard->waiting_count();
    s.timeouts += shard->timeout_count();
  }
  return s;
}

}  // namespace keel::db
