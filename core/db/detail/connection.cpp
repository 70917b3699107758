// The libpq asynchronous protocol: connect, send, flush, wait on the socket, collect results.
#include "core/db/detail/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <fmt/format.h>
#include <array>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <vector>

#include "core/db/detail/param_pointers.hpp"
#include "core/db/error.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::db::detail {
namespace {

// The server cancels a statement at statement_timeout; the client gives it this long on top
// to say so before it declares the connection broken (a partitioned or frozen server).
constexpr std::chrono::milliseconds deadline_margin{1000};

std::uint64_t ticks(std::chrono::milliseconds d) {
  return static_cast<std::uint64_t>(d / watchdog_tick) + 1;
}

using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

bool means_connection_gone(std::string_view sqlstate) {
  // 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

connection::connection(boost::asio::io_context& io, const pool_options& options,
                       const std::uint64_t& clock)
    : socket_(io),
      options_(options),
      clock_(clock),
      statement_timeout_(options.statement_timeout) {}

connection::~connection() {
  // The descriptor belongs to libpq: stop watching it without closing it.
  if (socket_.is_open()) socket_.release();
  if (conn_ != nullptr) PQfinish(conn_);
}

async<void> connection::connect() {
  // The server enforces the statement timeout; UTC and ISO make timestamptz text parseable.
  // PgBouncer rejects the `options` startup parameter, so there the role's settings apply.
  std::string server_options =
      fmt::format("-c statement_timeout={} -c TimeZone=UTC -c DateStyle=ISO",
                  options_.statement_timeout.count());
  std::array<const char*, 5> keys{"dbname", "application_name", "client_encoding", "options",
                                  nullptr};
  std::array<const char*, 5> values{options_.url.c_str(), options_.application_name.c_str(), "UTF8",
                                    server_options.c_str(), nullptr};
  if (options_.pgbouncer_mode) keys[3] = values[3] = nullptr;

  connecting_ = true;
  conn_ = PQconnectStartParams(keys.data(), values.data(), 1);
  if (conn_ == nullptr) throw std::bad_alloc();
  if (PQstatus(conn_) == CONNECTION_BAD) fail_lost("connect");

  deadline_ = options_.connect_timeout.count() > 0 ? clock_ + ticks(options_.connect_timeout) : 0;
  timed_out_ = false;
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) fail_lost("connect");
    // libpq may move to another socket between steps (next address or host): watch the
    // current one. Re-registering also makes epoll report readiness that is already there.
    if (socket_.is_open()) socket_.release();
    socket_.assign(PQsocket(conn_));
    if (state == PGRES_POLLING_READING) {
      co_await wait_readable();
    } else {
      co_await wait_writable();
    }
    state = PQconnectPoll(conn_);
  }
  deadline_ = 0;
  connecting_ = false;
  if (PQsetnonblocking(conn_, 1) != 0) fail_lost("connect");
  // libpq prints notices on stderr by default; they belong in the log, at debug level.
  PQsetNoticeProcessor(
      conn_,
      [](void*, const char* message) {
        log::debug("database notice", {{"message", trimmed(message)}});
      },
      nullptr);
}

async<result> connection::execute(std::string_view sql, const params& p) {
  param_pointers values(p);
  if (options_.pgbouncer_mode) {
    co_return co_await send_unnamed(sql, values.data(), values.count());
  }
  auto statement = prepared_.find(sql);
  if (statement == prepared_.end()) {
    if (prepared_.size() >= max_prepared) {
      co_return co_await send_unnamed(sql, values.data(), values.count());
    }
    // First use on this connection: one extra round trip, then every later call skips parsing
    // and planning on the server.
    std::string name = "keel_" + std::to_string(++prepared_count_);
    std::string text(sql);
    start_statement_deadline();
    if (PQsendPrepare(conn_, name.c_str(), text.c_str(), values.count(), nullptr) == 0) {
      fail_send();
    }
    co_await flush();
    co_await collect_result();
    statement = prepared_.emplace(std::move(text), prepared_statement{std::move(name), true}).first;
  } else if (!statement->second.ready) {
    co_return co_await send_unnamed(sql, values.data(), values.count());
  }
  start_statement_deadline();
  if (PQsendQueryPrepared(conn_, statement->second.name.c_str(), values.count(), values.data(),
                          nullptr, nullptr, 0) == 0) {
    fail_send();
  }
  co_await flush();
  co_return co_await collect_result();
}

async<result> connection::execute_unnamed(std::string_view sql, const params& p) {
  param_pointers values(p);
  co_return co_await send_unnamed(sql, values.data(), values.count());
}

async<result> connection::send_unnamed(std::string_view sql, const char* const* values, int count) {
  sql_buffer_.assign(sql);  // reuses its capacity: no allocation once warm
  start_statement_deadline();
  if (PQsendQueryParams(conn_, sql_buffer_.c_str(), count, nullptr, values, nullptr, nullptr, 0) ==
      0) {
    fail_send();
  }
  co_await flush();
  co_return co_await collect_result();
}

async<void> connection::run_script(std::string_view sql) {
  sql_buffer_.assign(sql);
  start_statement_deadline();
  if (PQsendQuery(conn_, sql_buffer_.c_str()) == 0) fail_send();
  co_await flush();
  co_await collect_result();
}

async<void> connection::set_statement_timeout(std::chrono::milliseconds timeout) {
  session_modified_ = true;
  co_await execute_unnamed("select set_config('statement_timeout', $1, false)",
                           params::of(std::to_string(timeout.count())));
  statement_timeout_ = timeout;
}

bool connection::in_transaction() const {
  auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

bool connection::idle_and_healthy() const {
  return conn_ != nullptr && !broken_ && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool connection::still_alive() {
  // An idle connection has nothing to read unless the server said goodbye (or sent a notice).
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    broken_ = lost_ = true;
    return false;
  }
  return true;
}

void connection::check_deadline() {
  if (deadline_ != 0 && clock_ >= deadline_ && !timed_out_) {
    timed_out_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);  // the waiting coroutine wakes, sees timed_out_ and gives up
  }
}

async<bool> connection::wait_input_for(std::chrono::milliseconds timeout) {
  namespace ex = boost::asio::experimental;
  // Edge-triggered epoll does not report data an earlier PQconsumeInput left in the socket.
  if (!socket_readable_now()) {
    boost::asio::steady_timer timer(socket_.get_executor(), timeout);
    // wait_for_one, not awaitable operator ||: that one ignores a wait ended by cancel().
    auto [order, socket_ec, timer_ec] =
        co_await ex::make_parallel_group(
            socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               boost::asio::deferred),
            timer.async_wait(boost::asio::deferred))
            .async_wait(ex::wait_for_one(), boost::asio::use_awaitable);
    if (order[0] == 1) co_return false;
    if (socket_ec) throw boost::system::system_error(socket_ec);
  }
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) fail_lost("receive");
  co_return true;
}

void connection::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void connection::start_statement_deadline() {
  started_ = std::chrono::steady_clock::now();
  deadline_ =
      statement_timeout_.count() > 0 ? clock_ + ticks(statement_timeout_ + deadline_margin) : 0;
  timed_out_ = false;
}

async<void> connection::wait_readable() {
  boost::system::error_code ec;
  co_await socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  if (timed_out_) {
    broken_ = true;
    if (connecting_) fail_lost("connect (timed out)");
    log::warn("database statement passed its client-side deadline; closing the connection");
    throw unavailable("The database did not answer in time.", statement_timeout_code);
  }
  if (ec) {
    // Cancelled by the caller (e.g. ping's deadline): the protocol state is unknown now.
    broken_ = true;
    throw boost::system::system_error(ec);
  }
}

async<void> connection::wait_writable() {
  boost::system::error_code ec;
  co_await socket_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                              boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  if (timed_out_) {
    broken_ = true;
    if (connecting_) fail_lost("connect (timed out)");
    throw unavailable("The database did not answer in time.", statement_timeout_code);
  }
  if (ec) {
    broken_ = true;
    throw boost::system::system_error(ec);
  }
}

async<void> connection::flush() {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) co_return;
    if (r < 0) fail_lost("send");
    co_await wait_writable();
  }
}

bool connection::socket_readable_now() const {
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

async<result> connection::collect_result() {
  result_ptr last(nullptr, &PQclear);
  result_ptr failure(nullptr, &PQclear);
  // Right after sending, the answer cannot be in the socket yet, so the first step waits.
  // Later, one PQconsumeInput may leave data in the socket that epoll (edge-triggered) will
  // not report again, so it is polled before waiting.
  bool consumed = false;
  for (;;) {
    while (PQisBusy(conn_) == 0) {
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) {
        deadline_ = 0;
        if (failure) throw_result_error(failure.get());
        if (PQstatus(conn_) != CONNECTION_OK) fail_lost("receive");
        co_return result(std::shared_ptr<pg_result>(last.release(), &PQclear));
      }
      switch (PQresultStatus(r)) {
        case PGRES_FATAL_ERROR:
        case PGRES_NONFATAL_ERROR:
          if (!failure) {
            failure.reset(r);
          } else {
            PQclear(r);
          }
          break;
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
          PQclear(r);
          broken_ = true;
          throw error("COPY is not supported through the pool");
        default:
          last.reset(r);
      }
    }
    if (consumed && socket_readable_now()) {
      if (PQconsumeInput(conn_) == 0) fail_lost("receive");
      continue;
    }
    co_await wait_readable();
    if (PQconsumeInput(conn_) == 0) fail_lost("receive");
    consumed = true;
  }
}

void connection::fail_lost(std::string_view what) {
  broken_ = lost_ = true;
  log::warn("database connection lost",
            {{"during", what}, {"error", trimmed(conn_ ? PQerrorMessage(conn_) : "")}});
  throw unavailable("The database is unavailable.", connection_lost_code);
}

void connection::fail_send() {
  if (PQstatus(conn_) != CONNECTION_OK) fail_lost("send");
  // Another command in progress: a bug in the pool, and this connection cannot be trusted.
  broken_ = true;
  throw error("could not send the statement: " + trimmed(PQerrorMessage(conn_)));
}

void connection::throw_result_error(const pg_result* res) {
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string sqlstate = state ? state : "";
  if (PQstatus(conn_) != CONNECTION_OK || means_connection_gone(sqlstate)) fail_lost("statement");
  if (sqlstate == "57014") {
    log::warn("database statement timed out", {{"timeout_ms", statement_timeout_.count()}});
    throw unavailable("The database did not answer in time.", statement_timeout_code);
  }
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary ? primary : trimmed(PQresultErrorMessage(res));
  // The constraint names which rule broke; the detail is left out as it may hold user data.
  if (const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)) {
    message += fmt::format(" (constraint {})", constraint);
  }
  throw error(std::move(message), std::move(sqlstate));
}

}  // namespace keel::db::detail
