// The connections of one event loop: idle list, FIFO waiters, lazy opening, reconnect backoff.
#pragma once
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/db/detail/connection.hpp"

namespace keel::db::detail {

// Everything but stats() runs on the shard's own loop thread, so nothing here is locked.
class shard {
 public:
  shard(boost::asio::io_context& io, const pool_options& options, int size);
  ~shard();
  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;

  // An idle connection, a newly opened one, or the next one released within acquire_timeout.
  // `for_pipeline`: nullptr as soon as there is a pipe to share instead (see pick_pipe).
  async<connection*> acquire(bool for_pipeline = false);
  // One statement outside a transaction, pipelined with other callers' statements on a
  // connection that stays in pipeline mode until its statements are all answered.
  async<result> execute(std::string_view sql, const params& p);
  // Takes a connection back: reused, rolled back first, or discarded when broken.
  void release(connection* c);
  // Refuses new acquirers, waits for every lease to come back, closes all connections.
  async<void> close();

  boost::asio::io_context& io() { return io_; }
  int size() const { return size_; }
  int open_count() const { return open_stat_.load(std::memory_order_relaxed); }
  int idle_count() const { return idle_stat_.load(std::memory_order_relaxed); }
  int waiting_count() const { return waiting_stat_.load(std::memory_order_relaxed); }
  std::uint64_t timeout_count() const { return timeouts_stat_.load(std::memory_order_relaxed); }

 private:
  struct waiter {
    explicit waiter(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    connection* conn = nullptr;  // handed over by release()
    bool retry = false;          // a slot freed up (or the pool closes): look again
    bool for_pipeline = false;   // a pipelined statement: a new pipe will do as well
    bool pipe_ready = false;     // woken because a pipe now exists
  };
  // Shared with the watchdog coroutine, which may outlive the shard on a stopped loop.
  struct watch_state {
    explicit watch_state(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    shard* owner = nullptr;
  };

  async<connection*> open_connection();
  async<void> rollback_then_release(connection* c);
  connection* pick_pipe() const;
  connection* stalled_pipe() const;  // the least deep pipe, stalled or not; nullptr: none
  bool exclusive_waiting() const;
  void wake_pipeline_waiters();
  bool can_take_without_waiting() const;
  async<void> drive_pipe(connection* c);
  void retire_pipe(connection* c);
  void uncork_later(connection* c);
  void uncork_all();
  void make_available(connection* c);
  void discard(connection* c);
  void discard_idle();
  void wake_one_to_retry();
  void ensure_watchdog();
  void on_tick();
  void publish_stats();
  static async<void> watchdog(std::shared_ptr<watch_state> state);

  boost::asio::io_context& io_;
  const pool_options& options_;
  const int size_;

  std::vector<std::unique_ptr<connection>> all_;  // open and opening connections
  std::vector<connection*> idle_;                 // LIFO: the warmest connection first
  std::deque<waiter*> waiters_;                   // FIFO
  std::vector<connection*> pipes_;                // in pipeline mode, shared by execute()
  std::vector<connection*> corked_;               // pipes whose sends wait for uncork_all()
  bool uncork_posted_ = false;
  int open_ = 0;
  int connecting_ = 0;
  int rolling_back_ = 0;
  bool closing_ = false;

  std::uint64_t clock_ = 0;  // watchdog ticks
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  std::shared_ptr<watch_state> watch_;

  std::atomic<int> open_stat_{0};
  std::atomic<int> idle_stat_{0};
  std::atomic<int> waiting_stat_{0};
  std::atomic<std::uint64_t> timeouts_stat_{0};  // acquisitions that gave up, ever
};

}  // namespace keel::db::detail
