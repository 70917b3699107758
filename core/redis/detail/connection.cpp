// The client's connection on its loop: background connects, one writer and one reader per
// connection, deadlines per command, backoff after a failure.
#include "core/redis/detail/connection.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/redis/detail/stream.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::redis::detail {
namespace net = boost::asio;
using std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds first_backoff{50};
constexpr std::chrono::milliseconds max_backoff{2000};

[[noreturn]] void throw_unreachable() {
  throw unavailable("Redis is unavailable.", unavailable_code);
}

[[noreturn]] void throw_closed() {
  throw unavailable("The Redis client is closed.", unavailable_code);
}

}  // namespace

// A command in flight: in in_flight_ until its reply comes or the connection goes, and held
// by the awaiting coroutine, which sleeps on `timer` until its deadline or its answer.
struct connection::pending {
  explicit pending(net::io_context& io) : timer(io) {}
  enum class state { waiting, answered, failed, abandoned };
  state status = state::waiting;
  net::steady_timer timer;  // the deadline; cancelled when the answer is in
  reply value;
  std::string failure;  // why there is no reply (for the debug log)
};

connection::connection(net::io_context& io, options o, endpoint e,
                       std::shared_ptr<net::ssl::context> tls)
    : io_(io), options_(std::move(o)), endpoint_(std::move(e)), tls_(std::move(tls)) {}

connection::~connection() {
  // Possibly on another thread than the loop's: the sockets are closed there.
  for (auto* held : {&stream_, &connecting_}) {
    if (*held) net::post(io_, [s = std::move(*held)] { s->close(); });
  }
}

async<reply> connection::command(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) {
  if (args.empty()) throw std::invalid_argument("a Redis command needs at least its name");
  auto deadline = steady_clock::now() + timeout;
  co_await ensure_connected(deadline);

  auto op = std::make_shared<pending>(io_);
  append_command(unsent_, args);
  in_flight_.push_back(op);
  if (!writing_) {
    writing_ = true;
    net::co_spawn(io_, write_commands(weak_from_this(), stream_), net::detached);
  }
  op->timer.expires_at(deadline);
  boost::system::error_code ec;
  co_await op->timer.async_wait(net::redirect_error(net::use_awaitable, ec));

  switch (op->status) {
    case pending::state::answered:
      if (op->value.type == reply::kind::error) throw error(std::move(op->value.text));
      co_return std::move(op->value);
    case pending::state::failed:
      log::debug("redis command failed", {{"error", op->failure}});
      throw_unreachable();
    default:
      break;
  }
  op->status = pending::state::abandoned;
  if (ec == net::error::operation_aborted) throw boost::system::system_error(ec);
  // Replies come in order, so every command behind this one waits as long: give up on the
  // connection rather than let a stalled server hold every caller of this loop.
  log::debug("redis command timed out; closing the connection",
             {{"timeout_ms", static_cast<std::int64_t>(timeout.count())}});
  note_failure();
  drop("a command timed out");
  throw unavailable("Redis did not answer in time.", timeout_code);
}

async<void> connection::ensure_connected(steady_clock::time_point deadline) {
  if (closed_) throw_closed();
  if (stream_) co_return;
  if (!connecting_) {
    // The server failed a moment ago: fail fast rather than pile callers up on it.
    if (steady_clock::now() < retry_at_) throw_unreachable();
    connecting_ = std::make_shared<stream>(io_, tls_);
    net::co_spawn(io_, connect(weak_from_this(), connecting_, endpoint_, options_.connect_timeout),
                  net::detached);
  }
  // Every caller, the first too, waits for the attempt only as long as its own deadline.
  net::steady_timer wait(io_);
  wait.expires_at(deadline);
  connect_waiters_.push_back(&wait);
  boost::system::error_code ec;
  co_await wait.async_wait(net::redirect_error(net::use_awaitable, ec));
  std::erase(connect_waiters_, &wait);
  if (closed_) throw_closed();
  if (stream_) co_return;
  if (!ec) throw unavailable("Redis did not answer in time.", timeout_code);
  throw_unreachable();  // the attempt failed
}

async<void> connection::connect(std::weak_ptr<connection> owner, std::shared_ptr<stream> s,
                                endpoint where, std::chrono::milliseconds timeout) {
  std::string failure;
  try {
    co_await s->connect(std::move(where), timeout);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  auto self = owner.lock();
  if (!self || self->connecting_ != s) {
    s->close();  // closed or destroyed meanwhile
    co_return;
  }
  self->connecting_.reset();
  if (!failure.empty()) {
    log::debug("redis connect failed", {{"error", failure}});
    self->note_failure();
  } else {
    self->stream_ = s;
    self->backoff_ = std::chrono::milliseconds(0);
    net::co_spawn(self->io_, read_replies(owner, s), net::detached);
  }
  self->wake_connect_waiters();
}

// Waits for the end of the loop turn first, so that the commands sent in one turn leave in
// one write; then writes whatever came meanwhile, until nothing is left.
async<void> connection::write_commands(std::weak_ptr<connection> owner, std::shared_ptr<stream> s) {
  co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
  for (;;) {
    std::string batch;
    {
      auto self = owner.lock();
      if (!self || self->stream_ != s) co_return;  // dropped: its successor has its own writer
      if (self->unsent_.empty()) {
        self->writing_ = false;
        co_return;
      }
      batch.swap(self->unsent_);
    }
    std::string failure;
    try {
      co_await s->write(batch);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure.empty()) continue;
    if (auto self = owner.lock()) self->lost(s, failure);
    co_return;
  }
}

async<void> connection::read_replies(std::weak_ptr<connection> owner, std::shared_ptr<stream> s) {
  for (;;) {
    std::optional<reply> r;
    std::string failure;
    try {
      r = co_await s->read();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    auto self = owner.lock();
    if (!self || self->stream_ != s) co_return;
    if (!r) {
      self->lost(s, failure);
      co_return;
    }
    self->deliver(std::move(*r));
  }
}

void connection::deliver(reply r) {
  if (in_flight_.empty()) {
    lost(stream_, "Redis sent a reply no command asked for");
    return;
  }
  auto op = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (op->status != pending::state::waiting) return;  // its caller gave up
  op->status = pending::state::answered;
  op->value = std::move(r);
  op->timer.cancel();  // the awaiting coroutine resumes in a later handler, never in here
}

void connection::lost(const std::shared_ptr<stream>& s, std::string_view why) {
  if (stream_ != s) return;  // an old connection's late news
  log::debug("redis connection lost", {{"error", why}});
  note_failure();
  drop(why);
}

async<void> connection::close() {
  closed_ = true;
  if (connecting_) std::exchange(connecting_, nullptr)->close();
  drop("the client was closed");
  wake_connect_waiters();
  co_return;
}

void connection::drop(std::string_view why) {
  if (stream_) std::exchange(stream_, nullptr)->close();
  unsent_.clear();
  writing_ = false;
  for (auto& op : std::exchange(in_flight_, {})) {
    if (op->status != pending::state::waiting) continue;
    op->status = pending::state::failed;
    op->failure = why;
    op->timer.cancel();
  }
}

void connection::note_failure() {
  backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
  retry_at_ = steady_clock::now() + backoff_;
}

void connection::wake_connect_waiters() {
  for (auto* w : connect_waiters_) w->cancel();
}

}  // namespace keel::redis::detail
