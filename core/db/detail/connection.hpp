// One asynchronous libpq connection, driven by coroutines on its shard's event loop.
#pragma once
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/db/pool.hpp"

typedef struct pg_conn PGconn;

namespace keel::db::detail {

// The watchdog's period: the resolution of client-side deadlines and of idle-age checks.
inline constexpr std::chrono::milliseconds watchdog_tick{100};
// A pipe whose server has not finished its front statement for this long takes no new
// statements while another connection can: a lookup takes tens of microseconds, so the backend
// is running a slow statement or is not getting CPU, and anything queued behind it waits too.
// Watchdog ticks are too coarse for this: at two ticks, 100-200 ms of statements piled up.
inline constexpr std::chrono::milliseconds stall_after{10};
// Dynamic SQL would otherwise grow the cache (and the server's memory) without bound.
inline constexpr std::size_t max_prepared = 256;

// One statement of a pipeline, living in the frame of the coroutine that awaits it.
struct pipelined_statement {
  std::string_view sql;
  const params* values = nullptr;
  bool prepares = false;  // its segment also prepares `sql` under a new name
  result value;
  std::exception_ptr failure;
  // Optional for emplace(): Boost 1.81's any_completion_handler move assignment recurses.
  std::optional<boost::asio::any_completion_handler<void()>> resume;
};

class connection {
 public:
  // `clock` is the shard's watchdog tick counter: deadlines are counted in its ticks so that
  // no statement arms a timer.
  connection(boost::asio::io_context& io, const pool_options& options, const std::uint64_t& clock);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Throws keel::unavailable (connection_lost_code) when the server cannot be reached.
  async<void> connect();

  // One statement, text parameters and results; prepared and cached unless pgbouncer_mode.
  async<result> execute(std::string_view sql, const params& p);
  // One statement, never prepared (BEGIN, COMMIT, ...).
  async<result> execute_unnamed(std::string_view sql, const params& p);
  // Several statements through the simple query protocol; no parameters.
  async<void> run_script(std::string_view sql);

  // Overrides statement_timeout for this session (0: none); the session is then not reused.
  async<void> set_statement_timeout(std::chrono::milliseconds timeout);

  // Broken connections are discarded when they come back; `lost` says the server went away.
  bool broken() const { return broken_; }
  bool lost() const { return lost_; }
  PGconn* native() const { return conn_; }
  bool session_modified() const { return session_modified_; }
  // The transaction state (PQtransactionStatus) for the shard's release decision.
  bool in_transaction() const;
  bool idle_and_healthy() const;  // no query in flight and not in a transaction
  // A non-blocking check that an idle connection still works (reads what the server sent).
  bool still_alive();

  // Called by the shard's watchdog on every tick: cancels a wait that passed its deadline.
  void check_deadline();

  // Pipeline mode (pool::execute outside transactions): statements of several callers in
  // flight at once, each in its own sync segment so that an error fails only its caller.
  // The owner drives read_pipeline() while pipeline_depth() > 0. Defined in pipeline.cpp.
  bool enter_pipeline();
  bool exit_pipeline();
  // Sends `s` (which must stay put until its `resume` is called) after those in flight.
  void send_pipelined(pipelined_statement& s);
  // Holds back what the next statements send until uncork(), so that the statements of one
  // loop turn leave in one TCP segment and wake the server once. False when already corked
  // or when the socket is not TCP (a Unix socket).
  bool cork();
  void uncork();
  // Reads results in order and resumes their callers until none is in flight; never throws
  // (a lost connection fails every statement in flight and marks the connection broken).
  async<void> read_pipeline();
  std::size_t pipeline_depth() const { return in_flight_.size(); }
  // The server has been busy with the front statement for stall_after or more.
  bool stalled(std::chrono::steady_clock::time_point now) const {
    return !in_flight_.empty() && now - started_ >= stall_after;
  }
  // True when the caller should start read_pipeline() (none is running yet).
  bool claim_reader() { return !std::exchange(reading_, true); }

  // For the listener's idle connection: waits at most `timeout` for the server to send
  // something and reads it (notifications then wait in PQnotifies); false when nothing came.
  // Throws keel::unavailable (connection_lost_code) when the server went away.
  async<bool> wait_input_for(std::chrono::milliseconds timeout);
  // Wakes the coroutine waiting on the socket, which throws operation_aborted (owner closes).
  void cancel();

  std::uint64_t idle_since = 0;  // the tick it was last returned to the pool

 private:
  async<void> wait_readable();
  async<void> wait_writable();
  async<void> flush();
  async<result> collect_result();
  bool socket_readable_now() const;
  void start_statement_deadline();
  async<result> send_unnamed(std::string_view sql, const char* const* values, int count);
  void take_pipeline_results();
  void finish_front();
  void resume_later(pipelined_statement& s);
  void fail_pipeline(std::exception_ptr failure);
  async<void> wait_pipeline_io();
  [[noreturn]] void fail_lost(std::string_view what);
  [[noreturn]] void fail_send();
  [[noreturn]] void throw_result_error(const struct pg_result* res);

  boost::asio::posix::stream_descriptor socket_;
  const pool_options& options_;
  const std::uint64_t& clock_;
  PGconn* conn_ = nullptr;

  std::uint64_t deadline_ = 0;  // tick after which the wait in progress is cancelled; 0: none
  // When the statement in progress started (one clock read per statement: a vDSO call).
  std::chrono::steady_clock::time_point started_;
  bool timed_out_ = false;
  bool connecting_ = false;
  bool broken_ = false;
  bool lost_ = false;
  bool session_modified_ = false;
  std::chrono::milliseconds statement_timeout_;

  // Prepared statements by SQL text. Transparent lookup: a hit allocates nothing.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct prepared_statement {
    std::string name;
    bool ready = false;  // false while its prepare is still in a pipeline
  };
  std::unordered_map<std::string, prepared_statement, text_hash, std::equal_to<>> prepared_;
  int prepared_count_ = 0;
  std::deque<pipelined_statement*> in_flight_;  // in the order the server answers
  bool reading_ = false;
  bool corked_ = false;
  bool cork_unsupported_ = false;
  // The front statement's result so far: the last result of its segment, its first error.
  std::shared_ptr<pg_result> front_value_;
  std::shared_ptr<pg_result> front_failure_;
  std::string sql_buffer_;  // a NUL-terminated copy of the statement for unnamed sends
};

}  // namespace keel::db::detail
