// libpq pipeline mode: several callers' statements in flight on one connection, in order.
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/detail/connection.hpp"
#include "core/db/detail/param_pointers.hpp"
#include "core/db/error.hpp"
#include "core/runtime/error.hpp"

namespace keel::db::detail {

bool connection::enter_pipeline() {
  return PQenterPipelineMode(conn_) == 1;
}

bool connection::exit_pipeline() {
  if (PQexitPipelineMode(conn_) == 1) return true;
  broken_ = true;  // results still unread: the protocol state cannot be trusted
  return false;
}

bool connection::cork() {
  if (corked_ || cork_unsupported_) return false;
  int on = 1;
  if (::setsockopt(PQsocket(conn_), IPPROTO_TCP, TCP_CORK, &on, sizeof on) != 0) {
    cork_unsupported_ = true;
    return false;
  }
  corked_ = true;
  return true;
}

void connection::uncork() {
  if (!corked_) return;
  corked_ = false;
  int off = 0;
  ::setsockopt(PQsocket(conn_), IPPROTO_TCP, TCP_CORK, &off, sizeof off);  // pushes it out
}

void connection::send_pipelined(pipelined_statement& s) {
  if (broken_) throw unavailable("The database is unavailable.", connection_lost_code);
  param_pointers values(*s.values);
  const char* name = nullptr;
  if (!options_.pgbouncer_mode) {
    auto statement = prepared_.find(s.sql);
    if (statement == prepared_.end() && prepared_.size() < max_prepared) {
      // Prepared in the same sync segment as its first execution: no extra round trip.
      std::string new_name = "keel_" + std::to_string(++prepared_count_);
      sql_buffer_.assign(s.sql);
      if (PQsendPrepare(conn_, new_name.c_str(), sql_buffer_.c_str(), values.count(), nullptr) ==
          0) {
        fail_send();
      }
      statement =
          prepared_.emplace(std::string(s.sql), prepared_statement{std::move(new_name), false})
              .first;
      s.prepares = true;
      name = statement->second.name.c_str();
    } else if (statement != prepared_.end() && statement->second.ready) {
      name = statement->second.name.c_str();
    }
    // Otherwise its prepare is still in flight (and may fail): this one goes unnamed.
  }
  int sent = 0;
  if (name != nullptr) {
    sent = PQsendQueryPrepared(conn_, name, values.count(), values.data(), nullptr, nullptr, 0);
  } else {
    sql_buffer_.assign(s.sql);
    sent = PQsendQueryParams(conn_, sql_buffer_.c_str(), values.count(), nullptr, values.data(),
                             nullptr, nullptr, 0);
  }
  // A sync per statement: an error skips the rest of its own segment only, and each
  // statement commits on its own rather than in one implicit transaction with its neighbours.
  if (sent == 0 || PQpipelineSync(conn_) == 0) fail_send();
  if (in_flight_.empty()) start_statement_deadline();
  in_flight_.push_back(&s);
}

async<void> connection::read_pipeline() {
  try {
    // As in collect_result: data a PQconsumeInput left in the socket is not reported again
    // by edge-triggered epoll, so the socket is polled before waiting once input was read.
    bool consumed = false;
    for (;;) {
      if (broken_) throw unavailable("The database is unavailable.", connection_lost_code);
      take_pipeline_results();
      if (in_flight_.empty()) break;
      if (!(consumed && socket_readable_now())) co_await wait_pipeline_io();
      if (PQconsumeInput(conn_) == 0) fail_lost("receive");
      consumed = true;
    }
  } catch (...) {
    broken_ = true;
    fail_pipeline(std::current_exception());
  }
  deadline_ = 0;
  reading_ = false;
}

void connection::take_pipeline_results() {
  bool after_end = false;  // a NULL ends one command; two in a row mean nothing more is coming
  while (!in_flight_.empty() && PQisBusy(conn_) == 0) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      if (after_end) {
        if (PQstatus(conn_) != CONNECTION_OK) fail_lost("receive");
        throw error("the pipeline lost track of its results");
      }
      after_end = true;
      continue;
    }
    after_end = false;
    std::shared_ptr<pg_result> owned(r, &PQclear);
    switch (PQresultStatus(r)) {
      case PGRES_PIPELINE_SYNC:
        finish_front();
        break;
      case PGRES_FATAL_ERROR:
      case PGRES_NONFATAL_ERROR:
        if (!front_failure_) front_failure_ = std::move(owned);
        break;
      case PGRES_PIPELINE_ABORTED:
        break;  // skipped because of the error already kept
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        throw error("COPY is not supported through the pool");
      default:
        front_value_ = std::move(owned);  // a prepare's result, then the statement's own
    }
  }
}

void connection::finish_front() {
  pipelined_statement* s = in_flight_.front();
  in_flight_.pop_front();
  auto failure = std::exchange(front_failure_, nullptr);
  auto value = std::exchange(front_value_, nullptr);
  if (s->prepares) {
    auto statement = prepared_.find(s->sql);
    if (failure) {
      prepared_.erase(statement);  // the server has no statement by that name
    } else {
      statement->second.ready = true;
    }
  }
  if (failure) {
    try {
      throw_result_error(failure.get());
    } catch (...) {
      s->failure = std::current_exception();
    }
  } else {
    s->value = result(std::move(value));
  }
  // The server runs one statement at a time: the next one's clock starts now.
  if (!in_flight_.empty()) start_statement_deadline();
  // Posted rather than resumed here, so that what the caller does next cannot disturb this
  // loop over the results.
  resume_later(*s);
}

void connection::resume_later(pipelined_statement& s) {
  boost::asio::post(socket_.get_executor(),
                    [resume = std::move(*s.resume)]() mutable { std::move(resume)(); });
}

void connection::fail_pipeline(std::exception_ptr failure) {
  auto lost = std::make_exception_ptr(
      unavailable("The database connection was lost.", connection_lost_code));
  front_failure_.reset();
  front_value_.reset();
  while (!in_flight_.empty()) {
    pipelined_statement* s = in_flight_.front();
    in_flight_.pop_front();
    s->failure = failure ? std::exchange(failure, nullptr) : lost;
    resume_later(*s);
  }
}

async<void> connection::wait_pipeline_io() {
  namespace ex = boost::asio::experimental;
  int pending = PQflush(conn_);
  if (pending < 0) fail_lost("send");
  if (pending == 0) co_return co_await wait_readable();
  // Output is still queued: wait for either side, as a server blocked on writing results to
  // us would otherwise never read the rest of ours.
  auto [order, read_ec, write_ec] =
      co_await ex::make_parallel_group(
          socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             boost::asio::deferred),
          socket_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                             boost::asio::deferred))
          .async_wait(ex::wait_for_one(), boost::asio::use_awaitable);
  if (timed_out_) {
    broken_ = true;
    throw unavailable("The database did not answer in time.", statement_timeout_code);
  }
  auto ec = order[0] == 0 ? read_ec : write_ec;
  if (ec) {
    broken_ = true;
    throw boost::system::system_error(ec);
  }
}

}  // namespace keel::db::detail
