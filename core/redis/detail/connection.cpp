// hiredis's asynchronous API on Asio: the ev hooks, connecting, commands, timeouts, backoff.
#include "core/redis/detail/connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::redis::detail {
namespace {

using std::chrono::steady_clock;
using wait_type = boost::asio::posix::stream_descriptor::wait_type;

constexpr std::chrono::milliseconds first_backoff{50};
constexpr std::chrono::milliseconds max_backoff{2000};

[[noreturn]] void throw_unreachable() {
  throw unavailable("Redis is unavailable.", unavailable_code);
}

}  // namespace

// ---- the ev hooks ----

struct watcher : std::enable_shared_from_this<watcher> {
  explicit watcher(boost::asio::io_context& io) : socket(io) {}
  ~watcher() {
    if (socket.is_open()) socket.release();  // the descriptor is hiredis's to close
  }
  boost::asio::posix::stream_descriptor socket;
  redisAsyncContext* context = nullptr;  // null once hiredis freed it
  connection* owner = nullptr;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;   // a readability wait is armed
  bool writing = false;   // a write is posted or a writability wait is armed
  bool in_write = false;  // inside redisAsyncHandleWrite
};

namespace {

bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void arm_read(watcher& w);
void arm_write(watcher& w);

void read_now(watcher& w) {
  // hiredis reads at most 16 KiB per call, and epoll (edge-triggered under Asio) does not
  // report again what is already in the socket: read until it is drained.
  while (w.context != nullptr && w.want_read) {
    redisAsyncHandleRead(w.context);  // may run callbacks, and free the context
    if (w.context == nullptr || !readable_now(w.socket.native_handle())) break;
  }
  if (w.context != nullptr && w.want_read && !w.reading) arm_read(w);
}

void write_now(watcher& w) {
  if (w.context == nullptr || !w.want_write) return;
  w.in_write = true;
  redisAsyncHandleWrite(w.context);  // finishes connecting first, when it has not
  w.in_write = false;
  // Still wanting to write means the socket's buffer is full or connect() is in progress:
  // wait for the socket, which then becomes writable as a new edge.
  if (w.context != nullptr && w.want_write && !w.writing) arm_write(w);
}

void arm_read(watcher& w) {
  w.reading = true;
  w.socket.async_wait(wait_type::wait_read,
                      [self = w.shared_from_this()](const boost::system::error_code& ec) {
                        self->reading = false;
                        if (!ec) read_now(*self);
                      });
}

void arm_write(watcher& w) {
  w.writing = true;
  w.socket.async_wait(wait_type::wait_write,
                      [self = w.shared_from_this()](const boost::system::error_code& ec) {
                        self->writing = false;
                        if (!ec) write_now(*self);
                      });
}

void add_read(void* data) {
  auto& w = *static_cast<watcher*>(data);
  w.want_read = true;
  if (!w.reading) arm_read(w);
}

void del_read(void* data) {
  static_cast<watcher*>(data)->want_read = false;
}

void add_write(void* data) {
  auto& w = *static_cast<watcher*>(data);
  w.want_write = true;
  if (w.writing || w.in_write) return;
  if ((w.context->c.flags & REDIS_CONNECTED) == 0) {
    arm_write(w);  // the end of a non-blocking connect shows as writability
    return;
  }
  // A connected socket is nearly always writable, and an edge-triggered wait would not hear
  // of it: write at the end of this loop turn instead, with every command sent in the turn.
  w.writing = true;
  boost::asio::post(w.socket.get_executor(), [self = w.shared_from_this()] {
    self->writing = false;
    write_now(*self);
  });
}

void del_write(void* data) {
  static_cast<watcher*>(data)->want_write = false;
}

void cleanup(void* data) {
  auto& w = *static_cast<watcher*>(data);
  w.context = nullptr;
  w.want_read = w.want_write = false;
  if (w.socket.is_open()) w.socket.release();  // cancels the waits; hiredis closes the fd
  if (connection* owner = std::exchange(w.owner, nullptr)) owner->on_gone(&w);
}

void on_connect(const redisAsyncContext* ac, int status) {
  auto* w = static_cast<watcher*>(ac->data);
  if (w->owner != nullptr) w->owner->on_connected(status == REDIS_OK, ac->errstr);
}

void on_disconnect(const redisAsyncContext* ac, int status) {
  auto* w = static_cast<watcher*>(ac->data);
  if (w->owner != nullptr) w->owner->on_disconnected(status == REDIS_OK, ac->errstr);
}

// ---- commands ----

reply copied(const redisReply& r) {
  reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = reply::kind::string;
      out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = reply::kind::status;
      out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = reply::kind::error;
      out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = reply::kind::integer;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = reply::kind::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copied(*r.element[i]));
      break;
    default:
      out.type = reply::kind::nil;
  }
  return out;
}

// A command in flight. hiredis holds one reference until it calls back (it always does:
// with the reply, or with none when the context goes away), the awaiting coroutine another.
struct pending {
  explicit pending(boost::asio::io_context& io) : timer(io) {}
  enum class state { waiting, answered, failed, abandoned };
  state status = state::waiting;
  boost::asio::steady_timer timer;  // the deadline; cancelled when the answer is in
  reply value;
  std::string failure;  // why there is no reply (for the debug log)
};

void on_reply(redisAsyncContext* ac, void* r, void* privdata) {
  std::unique_ptr<std::shared_ptr<pending>> held(static_cast<std::shared_ptr<pending>*>(privdata));
  pending& op = **held;
  if (op.status != pending::state::waiting) return;  // its caller gave up
  if (r == nullptr) {
    op.status = pending::state::failed;
    op.failure = ac->err != 0 ? ac->errstr : "the connection was closed";
  } else {
    op.status = pending::state::answered;
    op.value = copied(*static_cast<const redisReply*>(r));
  }
  op.timer.cancel();  // the awaiting coroutine resumes in a later handler, never in here
}

bool submit(redisAsyncContext* ac, const std::vector<std::string>& args, redisCallbackFn* fn,
            void* privdata) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return redisAsyncCommandArgv(ac, fn, privdata, static_cast<int>(args.size()), argv.data(),
                               lengths.data()) == REDIS_OK;
}

// AUTH and SELECT, sent first on every new connection.
struct setup_step {
  std::weak_ptr<connection> owner;
  std::uint64_t generation;
  const char* command;
};

}  // namespace

// ---- connection ----

connection::connection(boost::asio::io_context& io, options o, endpoint e)
    : io_(io), options_(std::move(o)), endpoint_(std::move(e)), connect_timer_(io) {}

connection::~connection() {
  closed_ = true;
  if (watcher_) watcher_->owner = nullptr;
  if (context_ != nullptr) redisAsyncFree(std::exchange(context_, nullptr));
}

async<reply> connection::command(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) {
  if (args.empty()) throw std::invalid_argument("a Redis command needs at least its name");
  auto deadline = steady_clock::now() + timeout;
  co_await ensure_connected(deadline);

  auto op = std::make_shared<pending>(io_);
  auto* held = new std::shared_ptr<pending>(op);
  if (!submit(context_, args, on_reply, held)) {
    delete held;  // hiredis refused it (the context is closing): no callback will come
    throw_unreachable();
  }
  op->timer.expires_at(deadline);
  boost::system::error_code ec;
  co_await op->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));

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
  if (ec == boost::asio::error::operation_aborted) throw boost::system::system_error(ec);
  // Replies come in order, so every command behind this one waits as long: give up on the
  // connection rather than let a stalled server hold every caller of this loop.
  log::debug("redis command timed out; closing the connection",
             {{"timeout_ms", static_cast<std::int64_t>(timeout.count())}});
  note_failure();
  drop();
  throw unavailable("Redis did not answer in time.", timeout_code);
}

async<void> connection::ensure_connected(steady_clock::time_point deadline) {
  for (;;) {
    if (closed_) throw unavailable("The Redis client is closed.", unavailable_code);
    if (context_ != nullptr) co_return;  // commands may queue while it is still connecting
    if (resolving_) {
      boost::asio::steady_timer wait(io_);
      wait.expires_at(deadline);
      connect_waiters_.push_back(&wait);
      boost::system::error_code ec;
      co_await wait.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      std::erase(connect_waiters_, &wait);
      if (!ec) throw unavailable("Redis did not answer in time.", timeout_code);
      continue;
    }
    // The server failed a moment ago: fail fast rather than pile callers up on it.
    if (steady_clock::now() < retry_at_) throw_unreachable();
    co_await connect();
  }
}

async<void> connection::connect() {
  namespace ex = boost::asio::experimental;
  resolving_ = true;
  struct done {
    connection* self;
    ~done() {
      self->resolving_ = false;
      self->wake_connect_waiters();
    }
  } finally{this};

  // hiredis resolves names with a blocking getaddrinfo(); Asio's resolver does not block.
  std::string address = endpoint_.host;
  boost::system::error_code not_numeric;
  boost::asio::ip::make_address(endpoint_.host, not_numeric);
  if (not_numeric) {
    boost::asio::ip::tcp::resolver resolver(io_);
    boost::asio::steady_timer timer(io_, options_.connect_timeout);
    auto [order, resolve_ec, found, timer_ec] =
        co_await ex::make_parallel_group(
            resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                   boost::asio::deferred),
            timer.async_wait(boost::asio::deferred))
            .async_wait(ex::wait_for_one(), boost::asio::use_awaitable);
    if (order[0] != 0 || resolve_ec || found.empty()) {
      log::debug("redis host name not resolved",
                 {{"error", order[0] != 0 ? "timed out" : resolve_ec.message()}});
      note_failure();
      throw_unreachable();
    }
    address = found.begin()->endpoint().address().to_string();
  }
  if (closed_) throw unavailable("The Redis client is closed.", unavailable_code);

  redisAsyncContext* ac = redisAsyncConnect(address.c_str(), endpoint_.port);
  if (ac == nullptr) throw std::bad_alloc();
  if (ac->err != 0) {
    log::debug("redis connect failed", {{"error", ac->errstr}});
    redisAsyncFree(ac);
    note_failure();
    throw_unreachable();
  }
  attach(ac);
  send_setup();
  start_connect_timer();
}

void connection::attach(redisAsyncContext* ac) {
  auto w = std::make_shared<watcher>(io_);
  w->context = ac;
  w->owner = this;
  w->socket.assign(ac->c.fd);
  ac->data = w.get();
  ac->ev.data = w.get();
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  if (watcher_) watcher_->owner = nullptr;
  watcher_ = std::move(w);
  context_ = ac;
  connected_ = false;
  ++generation_;
  // Only now: setting the connect callback asks the hooks to wait for writability.
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

void connection::send_setup() {
  std::vector<std::vector<std::string>> steps;
  if (!endpoint_.password.empty()) {
    steps.push_back(endpoint_.username.empty()
                        ? std::vector<std::string>{"AUTH", endpoint_.password}
                        : std::vector<std::string>{"AUTH", endpoint_.username, endpoint_.password});
  }
  if (endpoint_.database != 0) {
    steps.push_back({"SELECT", std::to_string(endpoint_.database)});
  }
  for (const auto& step : steps) {
    auto* s = new setup_step{weak_from_this(), generation_, step[0] == "AUTH" ? "AUTH" : "SELECT"};
    auto answered = [](redisAsyncContext* ac, void* r, void* privdata) {
      std::unique_ptr<setup_step> held(static_cast<setup_step*>(privdata));
      auto* answer = static_cast<const redisReply*>(r);
      if (answer == nullptr || answer->type != REDIS_REPLY_ERROR) return;
      // A configuration problem (wrong password, no such database): the commands queued
      // behind fail too, so close the connection, but not from inside hiredis's callback.
      log::error(
          "Redis refused the connection setup; check REDIS_URL",
          {{"command", held->command}, {"error", std::string_view(answer->str, answer->len)}});
      boost::asio::post(static_cast<watcher*>(ac->data)->socket.get_executor(),
                        [owner = held->owner, generation = held->generation] {
                          auto self = owner.lock();
                          if (!self || self->generation_ != generation) return;
                          self->note_failure();
                          self->drop();
                        });
    };
    if (!submit(context_, step, answered, s)) delete s;
  }
}

void connection::start_connect_timer() {
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait(
      [owner = weak_from_this(), generation = generation_](const boost::system::error_code& ec) {
        auto self = owner.lock();
        if (ec || !self || self->generation_ != generation || self->connected_) return;
        if (self->context_ == nullptr) return;
        log::debug("redis connect timed out");
        self->note_failure();
        self->drop();
      });
}

async<void> connection::close() {
  closed_ = true;
  drop();
  wake_connect_waiters();
  co_return;
}

void connection::on_connected(bool ok, const char* error) {
  if (ok) {
    connected_ = true;
    backoff_ = std::chrono::milliseconds(0);
    connect_timer_.cancel();
    return;
  }
  // hiredis frees the context right after this; cleanup() then tells on_gone().
  log::debug("redis connect failed", {{"error", error != nullptr ? error : ""}});
  note_failure();
}

void connection::on_disconnected(bool ok, const char* error) {
  connected_ = false;
  if (ok) return;  // closed on purpose
  log::debug("redis connection lost", {{"error", error != nullptr ? error : ""}});
  note_failure();
}

void connection::on_gone(const watcher* w) {
  if (watcher_.get() != w) return;
  context_ = nullptr;
  connected_ = false;
}

void connection::drop() {
  if (context_ == nullptr) return;
  // Never called from inside a hiredis callback, so this frees at once: pending commands are
  // called back with no reply (they fail), then cleanup() releases the descriptor.
  redisAsyncFree(std::exchange(context_, nullptr));
  connected_ = false;
}

void connection::note_failure() {
  backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
  retry_at_ = steady_clock::now() + backoff_;
}

void connection::wake_connect_waiters() {
  for (auto* w : connect_waiters_) w->cancel();
}

}  // namespace keel::redis::detail
