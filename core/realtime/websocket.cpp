// A realtime WebSocket (Beast): JSON text messages in both directions, one reader and one
// writer coroutine, a bounded send queue, Beast's keep-alive pings and timeouts.
//
//   client → {"type":"subscribe","channel":"rule:<id>","since":41}  {"type":"unsubscribe",...}
//            {"type":"ping"}
//   server → {"type":"subscribed","channel":...}  {"type":"event","id",...}
//            {"type":"reset","channel":...}  {"type":"error","code":...}  {"type":"pong"}
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "core/http/takeover.hpp"
#include "core/realtime/connections.hpp"
#include "core/realtime/hub.hpp"

namespace keel::realtime {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Beast pings a connection that has been quiet for half the idle timeout and drops it when
// nothing at all arrives for the whole of it: a ping every 20 s, a dead peer gone in 40 s.
constexpr std::chrono::seconds idle_timeout{40};
constexpr std::chrono::seconds handshake_timeout{10};  // also bounds the closing handshake
// A client may send this many messages at once, then this many per second.
constexpr double message_burst = 20;
constexpr double messages_per_second = 10;

ws::close_code code_of(close_reason why) {
  switch (why) {
    case close_reason::shutdown:
      return ws::close_code::going_away;  // 1001
    case close_reason::session_ended:
      return static_cast<ws::close_code>(4001);
    case close_reason::slow_consumer:
    case close_reason::policy:
      return ws::close_code::policy_error;  // 1008
  }
  return ws::close_code::policy_error;
}

std::string message(const boost::json::object& fields) {
  return boost::json::serialize(fields);
}

class websocket_client final : public client,
                               public std::enable_shared_from_this<websocket_client> {
 public:
  websocket_client(hub& h, principal who, tcp::socket socket)
      : client(client_kind::websocket, std::move(who)),
        hub_(h),
        ws_(std::move(socket)),
        tokens_(message_burst),
        refilled_(clock::now()) {}

  ~websocket_client() override {
    if (attached_) {
      hub_.detach(*this);
    } else {
      hub_.release(who().user_id);
    }
  }

  // The handshake, in a frame of its own so that the request is freed once it is answered.
  async<bool> accept(http::raw_request request) {
    ws::stream_base::timeout timeouts{handshake_timeout, idle_timeout, true};
    ws_.set_option(timeouts);
    ws_.read_message_max(hub_.config().max_message_bytes);
    auto [ec] = co_await ws_.async_accept(request, use_tuple);
    co_return !ec;  // on a bad handshake Beast answered it itself
  }

  async<void> run(http::raw_request request) {
    auto self = shared_from_this();
    bool accepted = co_await accept(std::move(request));
    if (!accepted) co_return;
    ws_.text(true);
    hub_.attach(*this);
    attached_ = true;
    co_await read_loop();
    // The peer is gone or closed: a write still waiting fails now and lets go.
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
  }

  void send_event(const subscription&, const std::shared_ptr<const encoded_event>& e) override {
    // The aliasing constructor: the queue shares the event's frame, no copy.
    queue(std::shared_ptr<const std::string>(e, &e->frame));
  }

  void close(close_reason why) override {
    if (closing_) return;
    closing_ = why;
    if (why == close_reason::slow_consumer) {
      // Its writes are stuck: nothing can be said to it, so the socket just goes.
      hub_.note_slow_consumer();
      boost::system::error_code ignored;
      beast::get_lowest_layer(ws_).cancel(ignored);
      beast::get_lowest_layer(ws_).shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    if (!writing_) write_next();  // else the write in flight moves on to the close
  }

 private:
  void queue(std::shared_ptr<const std::string> m) {
    if (closing_) return;
    if (queued_bytes_ + m->size() > hub_.config().send_queue_bytes) {
      close(close_reason::slow_consumer);
      return;
    }
    queued_bytes_ += m->size();
    outbox_.push_back(std::move(m));
    if (!writing_) write_next();
  }
  void reply(std::string text) { queue(std::make_shared<const std::string>(std::move(text))); }
  void refuse(std::string_view code, std::string_view channel = {}) {
    if (channel.empty()) {
      reply(message({{"type", "error"}, {"code", code}}));
    } else {
      reply(message({{"type", "error"}, {"code", code}, {"channel", channel}}));
    }
  }

  // Writes are a chain of completion handlers rather than a coroutine: an idle connection
  // then holds no writer frame and no wake-up timer, only the read in flight.
  void write_next() {
    if (closing_) {
      if (*closing_ == close_reason::slow_consumer || close_sent_) return;
      close_sent_ = true;
      writing_ = true;
      ws_.async_close(
          ws::close_reason(code_of(*closing_)),
          [self = shared_from_this()](boost::system::error_code) { self->writing_ = false; });
      return;
    }
    if (outbox_front_ == outbox_.size()) {
      // Drained: an idle connection keeps no queue storage either.
      std::vector<std::shared_ptr<const std::string>>().swap(outbox_);
      outbox_front_ = 0;
      writing_ = false;
      return;
    }
    writing_ = true;
    auto next = std::move(outbox_[outbox_front_++]);
    const std::string& bytes = *next;
    ws_.async_write(net::buffer(bytes), [self = shared_from_this(), next = std::move(next)](
                                            boost::system::error_code ec, std::size_t) {
      self->queued_bytes_ -= next->size();
      self->writing_ = false;
      if (ec) {
        boost::system::error_code ignored;
        beast::get_lowest_layer(self->ws_).close(ignored);
        return;
      }
      self->write_next();
    });
  }

  async<void> read_loop() {
    beast::flat_buffer in;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(in, use_tuple);
      if (ec) break;
      std::string text = beast::buffers_to_string(in.data());
      in.consume(in.size());
      in.shrink_to_fit();      // an idle connection holds no read buffer
      if (closing_) continue;  // read on until the close handshake ends
      if (!take_token()) {
        refuse("rate_limited");
        close(close_reason::policy);
        continue;
      }
      co_await handle(text);
    }
  }

  // A token bucket per connection: bursts are fine, a flood is closed.
  bool take_token() {
    auto now = clock::now();
    double elapsed = std::chrono::duration<double>(now - refilled_).count();
    refilled_ = now;
    tokens_ = std::min(message_burst, tokens_ + elapsed * messages_per_second);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  async<void> handle(const std::string& text) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(text, ec);
    const boost::json::object* m = parsed.if_object();
    const boost::json::string* type =
        m != nullptr ? m->contains("type") ? m->at("type").if_string() : nullptr : nullptr;
    if (ec || type == nullptr) {
      refuse("invalid_message");
      co_return;
    }
    if (*type == "ping") {
      reply(R"({"type":"pong"})");
      co_return;
    }
    if (*type != "subscribe" && *type != "unsubscribe") {
      refuse("unknown_type");
      co_return;
    }
    const boost::json::string* name =
        m->contains("channel") ? m->at("channel").if_string() : nullptr;
    auto target = name != nullptr ? parse_channel(*name) : std::nullopt;
    if (!target) {
      refuse("invalid_channel");
      co_return;
    }
    std::string channel_name(*name);
    if (*type == "unsubscribe") {
      hub_.unsubscribe(*this, channel_name);
      reply(message({{"type", "unsubscribed"}, {"channel", channel_name}}));
      co_return;
    }
    std::optional<std::int64_t> since;
    if (auto it = m->find("since"); it != m->end() && !it->value().is_null()) {
      const auto* number = it->value().if_int64();
      if (number == nullptr || *number < 0) {
        refuse("invalid_since", channel_name);
        co_return;
      }
      since = *number;
    }
    bool known = subscriptions().contains(channel_name);
    if (!known && static_cast<int>(subscriptions().size()) >= hub_.config().max_subscriptions) {
      refuse("too_many_subscriptions", channel_name);
      co_return;
    }
    bool allowed = co_await hub_.may_follow(who(), *target);
    if (!allowed) {
      refuse("forbidden", channel_name);
      co_return;
    }
    auto start = co_await hub_.subscribe(*this, channel_name, since);
    if (closing_) co_return;
    reply(message({{"type", "subscribed"}, {"channel", channel_name}}));
    if (start.reset) reply(message({{"type", "reset"}, {"channel", channel_name}}));
    auto& s = *subscriptions().at(channel_name);
    for (const auto& e : start.replay) send_event(s, e);
    hub_.go_live(s);
  }

  hub& hub_;
  ws::stream<tcp::socket> ws_;
  std::vector<std::shared_ptr<const std::string>> outbox_;  // from outbox_front_ on
  std::size_t outbox_front_ = 0;
  std::size_t queued_bytes_ = 0;
  std::optional<close_reason> closing_;
  bool attached_ = false;
  bool writing_ = false;  // a write (or the close) is in flight
  bool close_sent_ = false;
  double tokens_;
  clock::time_point refilled_;
};

class websocket_upgrade final : public http::takeover {
 public:
  websocket_upgrade(hub& h, principal who) : hub_(h), who_(std::move(who)) {}

  net::awaitable<void> run(tcp::socket socket, beast::flat_buffer rest, http::raw_request request,
                           std::string head) override {
    // This frame lives as long as the connection: keep nothing in it that is not needed.
    { [[maybe_unused]] auto unused = std::make_pair(std::move(rest), std::move(head)); }
    auto c = std::make_shared<websocket_client>(hub_, std::move(who_), std::move(socket));
    co_await c->run(std::move(request));
  }

 private:
  hub& hub_;
  principal who_;
};

}  // namespace

std::shared_ptr<http::takeover> websocket_takeover(hub& h, principal who) {
  return std::make_shared<websocket_upgrade>(h, std::move(who));
}

}  // namespace keel::realtime
