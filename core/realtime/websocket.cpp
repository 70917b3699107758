// A realtime WebSocket: Beast answers the handshake, then keel speaks RFC 6455 framing itself
// (core/realtime/frames.hpp), so that a connection is only a socket, a small object and one
// armed readiness wait. Each event's frame is encoded once and written to every subscriber
// as it is, first with a plain non-blocking write; keep-alive pings and deadlines come from
// the hub's once-a-second tick instead of a timer per connection.
//
//   client → {"type":"subscribe","channel":"rule:<id>","since":41}  {"type":"unsubscribe",...}
//            {"type":"ping"}
//   server → {"type":"subscribed","channel":...}  {"type":"event","id",...}
//            {"type":"reset","channel":...}  {"type":"error","code":...}  {"type":"pong"}
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "core/http/takeover.hpp"
#include "core/realtime/connections.hpp"
#include "core/realtime/frames.hpp"
#include "core/realtime/hub.hpp"
#include "core/realtime/messages.hpp"

namespace keel::realtime {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ws = boost::beast::websocket;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr std::chrono::seconds handshake_timeout{10};
// A quiet connection is pinged after 20 s and dropped when nothing at all arrived for 40 s.
constexpr std::chrono::seconds ping_after{20};
constexpr std::chrono::seconds dead_after{40};
// How long a closing connection may take to answer the close, and a write may wait.
constexpr std::chrono::seconds close_timeout{5};
constexpr std::chrono::seconds write_timeout{30};
// A client may send this many messages at once, then this many per second.
constexpr double message_burst = 20;
constexpr double messages_per_second = 10;
// Bytes read per readiness before other connections get their turn.
constexpr std::size_t read_budget = 64 * 1024;

std::uint16_t code_of(close_reason why) {
  switch (why) {
    case close_reason::shutdown:
      return 1001;  // going away
    case close_reason::session_ended:
      return 4001;
    case close_reason::slow_consumer:
    case close_reason::policy:
      return 1008;  // policy violation
  }
  return 1008;
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
        socket_(std::move(socket)),
        reader_(h.config().max_message_bytes),
        last_heard_(clock::now()),
        tokens_(message_burst),
        refilled_(clock::now()) {}

  ~websocket_client() override { hub_.detach(*this); }

  // Starts serving, with whatever the client sent right after its handshake.
  void start(std::string_view early) {
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
    hub_.attach(*this);
    reader_.feed(early);
    process_input();
    arm_read();
  }

  void send_event(const subscription&, const std::shared_ptr<const encoded_event>& e) override {
    // The aliasing constructor: the queue shares the event's frame, no copy.
    queue(std::shared_ptr<const std::string>(e, &e->frame));
  }

  void close(close_reason why) override {
    if (closing_ || done_) return;
    closing_ = why;
    closing_since_ = clock::now();
    if (why == close_reason::slow_consumer) {
      // Its writes are stuck: nothing can be said to it, so the socket just goes.
      hub_.note_slow_consumer();
      finish();
      return;
    }
    // What was queued is moot now; the frame being written is finished first.
    if (outbox_front_ < outbox_.size()) outbox_.resize(outbox_front_ + (written_ > 0 ? 1 : 0));
    send_close(code_of(why));
  }

  void tick(clock::time_point now) override {
    if (done_) return;
    if (closing_) {
      if (now - closing_since_ > close_timeout) finish();
      return;
    }
    if (writing_ && now - write_blocked_since_ > write_timeout) {
      close(close_reason::slow_consumer);
    } else if (now - last_heard_ > dead_after) {
      finish();
    } else if (now - last_heard_ > ping_after && !ping_sent_) {
      ping_sent_ = true;
      push(std::make_shared<const std::string>(frames::encode(frames::opcode::ping, {})));
    }
  }

 private:
  // ---- reading ----

  void arm_read() {
    if (reading_ || paused_ || done_) return;
    reading_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](boost::system::error_code ec) {
                         self->reading_ = false;
                         if (ec) {
                           self->finish();
                           return;
                         }
                         self->on_readable();
                       });
  }

  void on_readable() {
    // A per-thread scratch buffer: an idle connection holds no read buffer of its own.
    thread_local char scratch[16 * 1024];
    for (std::size_t total = 0; total < read_budget;) {
      boost::system::error_code ec;
      std::size_t n = socket_.read_some(net::buffer(scratch), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) break;
      if (ec) {
        finish();  // the peer went away (or reset)
        return;
      }
      reader_.feed(std::string_view(scratch, n));
      last_heard_ = clock::now();
      ping_sent_ = false;
      total += n;
    }
    process_input();
    arm_read();
  }

  void process_input() {
    while (!paused_ && !done_) {
      auto item = reader_.next();
      if (!item) break;
      switch (item->what) {
        case frames::item::kind::text:
          if (closing_) break;  // read on until the close is answered
          if (!take_token()) {
            refuse("rate_limited");
            close(close_reason::policy);
            break;
          }
          // Messages are handled one at a time, in order: reading waits meanwhile.
          paused_ = true;
          net::co_spawn(socket_.get_executor(), handle_then_resume(std::move(item->payload)),
                        net::detached);
          break;
        case frames::item::kind::ping:
          push(std::make_shared<const std::string>(
              frames::encode(frames::opcode::pong, item->payload)));
          break;
        case frames::item::kind::pong:
          break;
        case frames::item::kind::close:
          // The peer's close, or its answer to ours: echo it if it started, then end.
          if (!close_sent_) send_close(item->close_code == 1005 ? 1000 : item->close_code);
          finish_after_flush_ = true;
          flush();
          break;
        case frames::item::kind::failed:
          send_close(item->close_code);
          finish_after_flush_ = true;
          flush();
          break;
      }
    }
    if (reader_.empty()) reader_.release_memory();
  }

  async<void> handle_then_resume(std::string text) {
    auto self = shared_from_this();
    try {
      co_await handle(text);
    } catch (const std::exception&) {
      refuse("internal");  // a database hiccup during a subscribe
    }
    paused_ = false;
    process_input();
    arm_read();
  }

  // ---- writing ----

  void send_close(std::uint16_t code) {
    if (close_sent_) return;
    close_sent_ = true;
    push(std::make_shared<const std::string>(frames::encode_close(code)));
  }

  void queue(std::shared_ptr<const std::string> m) {
    if (closing_ || done_) return;
    if (queued_bytes_ + m->size() > hub_.config().send_queue_bytes) {
      close(close_reason::slow_consumer);
      return;
    }
    push(std::move(m));
  }

  void push(std::shared_ptr<const std::string> m) {
    if (done_) return;
    queued_bytes_ += m->size();
    outbox_.push_back(std::move(m));
    flush();
  }

  void reply(std::string text) {
    queue(std::make_shared<const std::string>(frames::encode(frames::opcode::text, text)));
  }

  void refuse(std::string_view code, std::string_view channel = {}) {
    if (channel.empty()) {
      reply(message({{"type", "error"}, {"code", code}}));
    } else {
      reply(message({{"type", "error"}, {"code", code}, {"channel", channel}}));
    }
  }

  // Writes what is queued with plain non-blocking writes; only what the socket cannot take
  // now waits for it to become writable.
  void flush() {
    if (writing_ || done_) return;
    while (outbox_front_ < outbox_.size()) {
      const std::string& bytes = *outbox_[outbox_front_];
      boost::system::error_code ec;
      std::size_t n =
          socket_.write_some(net::buffer(bytes.data() + written_, bytes.size() - written_), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) {
        writing_ = true;
        write_blocked_since_ = clock::now();
        socket_.async_wait(tcp::socket::wait_write,
                           [self = shared_from_this()](boost::system::error_code wec) {
                             self->writing_ = false;
                             if (wec) {
                               self->finish();
                               return;
                             }
                             self->flush();
                           });
        return;
      }
      if (ec) {
        finish();
        return;
      }
      written_ += n;
      if (written_ < bytes.size()) continue;
      queued_bytes_ -= bytes.size();
      outbox_[outbox_front_++].reset();
      written_ = 0;
    }
    // Drained: an idle connection keeps no queue storage either.
    std::vector<std::shared_ptr<const std::string>>().swap(outbox_);
    outbox_front_ = 0;
    if (finish_after_flush_) finish();
  }

  // Ends the connection: the armed waits complete with an error and let go of it.
  void finish() {
    if (done_) return;
    done_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // ---- messages ----

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
    client_message m = parse_client_message(text);
    switch (m.what) {
      case client_message::kind::invalid:
        refuse(m.error, m.channel_name);
        co_return;
      case client_message::kind::ping:
        reply(R"({"type":"pong"})");
        co_return;
      case client_message::kind::unsubscribe:
        hub_.unsubscribe(*this, m.channel_name);
        reply(message({{"type", "unsubscribed"}, {"channel", m.channel_name}}));
        co_return;
      case client_message::kind::subscribe:
        break;
    }
    bool known = subscriptions().contains(m.channel_name);
    if (!known && static_cast<int>(subscriptions().size()) >= hub_.config().max_subscriptions) {
      refuse("too_many_subscriptions", m.channel_name);
      co_return;
    }
    bool allowed = co_await hub_.may_follow(who(), m.target);
    if (!allowed) {
      refuse("forbidden", m.channel_name);
      co_return;
    }
    auto start = co_await hub_.subscribe(*this, m.channel_name, m.since);
    if (closing_) co_return;
    reply(message({{"type", "subscribed"}, {"channel", m.channel_name}}));
    if (start.reset) reply(message({{"type", "reset"}, {"channel", m.channel_name}}));
    auto& s = *subscriptions().at(m.channel_name);
    for (const auto& e : start.replay) send_event(s, e);
    hub_.go_live(s);
  }

  hub& hub_;
  tcp::socket socket_;
  frames::reader reader_;
  std::vector<std::shared_ptr<const std::string>> outbox_;  // from outbox_front_ on
  std::size_t outbox_front_ = 0;
  std::size_t written_ = 0;  // of the front frame
  std::size_t queued_bytes_ = 0;
  std::optional<close_reason> closing_;
  clock::time_point closing_since_;
  clock::time_point last_heard_;
  clock::time_point write_blocked_since_;
  bool reading_ = false;  // a readability wait is armed
  bool writing_ = false;  // a writability wait is armed
  bool paused_ = false;   // a message is being handled
  bool close_sent_ = false;
  bool finish_after_flush_ = false;
  bool ping_sent_ = false;
  bool done_ = false;
  double tokens_;
  clock::time_point refilled_;
};

class websocket_upgrade final : public http::takeover {
 public:
  websocket_upgrade(hub& h, principal who) : hub_(h), who_(std::move(who)) {}

  net::awaitable<void> run(tcp::socket socket, beast::flat_buffer rest, http::raw_request request,
                           std::string) override {
    // Beast checks the handshake and answers it (101, or 400 for a bad one).
    ws::stream<tcp::socket> handshake(std::move(socket));
    handshake.set_option(
        ws::stream_base::timeout{handshake_timeout, ws::stream_base::none(), false});
    auto [ec] = co_await handshake.async_accept(request, use_tuple);
    if (ec) {
      hub_.release(who_.user_id);
      co_return;
    }
    std::string early(static_cast<const char*>(rest.data().data()), rest.size());
    auto c = std::make_shared<websocket_client>(hub_, std::move(who_),
                                                std::move(handshake.next_layer()));
    c->start(early);
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
