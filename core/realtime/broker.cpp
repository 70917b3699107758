// The pub/sub side of Redis on Asio: one subscribed connection per instance, read with
// hiredis's reply parser (redisReader), so that no hiredis event loop is involved.
#include "core/realtime/broker.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <random>
#include <vector>

#include "core/realtime/hub.hpp"
#include "core/redis/url.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::realtime {

namespace net = boost::asio;
using tcp = net::ip::tcp;
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

// A command in RESP, binary-safe.
std::string resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

struct reader_deleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

std::string_view text_of(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return {};
  return {r->str, r->len};
}

}  // namespace

struct broker::subscriber {
  explicit subscriber(net::io_context& ioc) : socket(ioc), timer(ioc) {}
  tcp::socket socket;
  net::steady_timer timer;  // connect timeout and backoff
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
    boost::system::error_code ignored;
    subscriber_->timer.cancel();
    subscriber_->socket.close(ignored);
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
  if (!where) {
    log::error("realtime: REDIS_URL cannot be used for the subscription");
    listening_ = false;
    co_return;
  }
  auto& s = *subscriber_;
  auto backoff = first_backoff;
  while (!stopping_) {
    std::unique_ptr<redisReader, reader_deleter> reader(redisReaderCreate());
    boost::system::error_code ec;
    tcp::resolver resolver(s.socket.get_executor());
    auto [rec, found] =
        co_await resolver.async_resolve(where->host, std::to_string(where->port), use_tuple);
    ec = rec;
    if (!ec) {
      s.timer.expires_after(connect_timeout);
      s.timer.async_wait([&s](boost::system::error_code e) {
        boost::system::error_code ignored;
        if (!e) s.socket.close(ignored);
      });
      auto [cec, at] = co_await net::async_connect(s.socket, found, use_tuple);
      s.timer.cancel();
      ec = cec;
    }
    if (!ec) {
      std::string hello;
      if (!where->password.empty()) {
        hello += where->username.empty() ? resp({"AUTH", where->password})
                                         : resp({"AUTH", where->username, where->password});
      }
      hello += resp({"SUBSCRIBE", notice_channel});
      auto [wec, wn] = co_await net::async_write(s.socket, net::buffer(hello), use_tuple);
      ec = wec;
    }
    char buffer[16 * 1024];
    while (!ec && !stopping_) {
      auto [rec2, n] = co_await s.socket.async_read_some(net::buffer(buffer), use_tuple);
      if (rec2) break;
      redisReaderFeed(reader.get(), buffer, n);
      bool broken = false;
      for (;;) {
        void* raw = nullptr;
        if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
          broken = true;
          break;
        }
        if (raw == nullptr) break;
        reply_ptr reply(static_cast<redisReply*>(raw));
        if (reply->type == REDIS_REPLY_ERROR) {
          // A wrong password, most likely; the message never quotes it.
          log::warn("realtime: Redis refused the subscription",
                    {{"error", std::string(reply->str, reply->len)}});
          broken = true;
          break;
        }
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;  // +OK of AUTH
        std::string_view kind = text_of(reply->element[0]);
        if (kind == "subscribe") {
          subscribed_ = true;
          backoff = first_backoff;
          log::info("realtime: subscribed to other instances' notices");
          // Notices sent while this connection was away are lost; the events are not.
          if (local_ != nullptr) local_->catch_up();
        } else if (kind == "message") {
          std::string_view notice = text_of(reply->element[2]);
          auto space = notice.find(' ');
          if (space == std::string_view::npos || notice.substr(0, space) == instance_) continue;
          if (local_ != nullptr) local_->channel_changed(std::string(notice.substr(space + 1)));
        }
      }
      if (broken) break;
    }
    if (subscribed_) log::warn("realtime: lost the Redis subscription; reconnecting");
    subscribed_ = false;
    boost::system::error_code ignored;
    s.socket.close(ignored);
    if (stopping_) break;
    s.timer.expires_after(backoff);
    co_await s.timer.async_wait(use_tuple);
    backoff = std::min(backoff * 2, max_backoff);
  }
  listening_ = false;
}

}  // namespace keel::realtime
