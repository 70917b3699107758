// A realtime stream of Server-Sent Events: the channels are fixed by the request, events go
// out as `id:`/`event:`/`data:` blocks, a comment every 15 s keeps proxies from timing out.
// With several channels the id names each channel's last event ("41,7"), so Last-Event-ID
// resumes every one of them exactly.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <deque>

#include "core/http/takeover.hpp"
#include "core/realtime/connections.hpp"
#include "core/realtime/hub.hpp"

namespace keel::realtime {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr std::chrono::seconds heartbeat{15};
// A write that does not finish in this long means a client that stopped reading.
constexpr std::chrono::seconds write_timeout{30};

std::string_view reason_name(close_reason why) {
  switch (why) {
    case close_reason::shutdown:
      return "shutdown";
    case close_reason::session_ended:
      return "session_ended";
    case close_reason::slow_consumer:
      return "slow_consumer";
    case close_reason::policy:
      return "policy";
  }
  return "policy";
}

// One block to send: its own text (the id line, or a whole control block) and maybe the
// event's shared block after it.
struct piece {
  std::string own;
  std::shared_ptr<const encoded_event> shared;
  std::size_t size() const { return own.size() + (shared ? shared->sse_block.size() : 0); }
};

class event_stream final : public client, public std::enable_shared_from_this<event_stream> {
 public:
  event_stream(hub& h, principal who, tcp::socket socket, std::vector<std::string> channels)
      : client(client_kind::sse, std::move(who)),
        hub_(h),
        socket_(std::move(socket)),
        wake_(socket_.get_executor()),
        deadline_(socket_.get_executor()),
        channels_(std::move(channels)),
        positions_(channels_.size(), 0) {}

  ~event_stream() override {
    if (attached_) {
      hub_.detach(*this);
    } else {
      hub_.release(who().user_id);
    }
  }

  async<void> run(std::string head, std::vector<std::optional<std::int64_t>> since) {
    auto self = shared_from_this();
    // The browser waits this long before reconnecting on its own.
    head += "retry: 3000\n\n";
    auto [ec, n] = co_await net::async_write(socket_, net::buffer(head), use_tuple);
    if (ec) co_return;
    hub_.attach(*this);
    attached_ = true;
    net::co_spawn(
        socket_.get_executor(), [self]() { return self->write_loop(); }, net::detached);
    for (std::size_t i = 0; i < channels_.size() && !closing_; ++i) {
      if (since[i]) positions_[i] = *since[i];
      auto start = co_await hub_.subscribe(*this, channels_[i], since[i]);
      if (closing_) break;
      std::string name = boost::json::serialize(boost::json::string(channels_[i]));
      push({"event: subscribed\ndata: {\"channel\":" + name + "}\n\n", nullptr});
      if (start.reset) push({"event: reset\ndata: {\"channel\":" + name + "}\n\n", nullptr});
      auto& s = *subscriptions().at(channels_[i]);
      for (const auto& e : start.replay) send_event(s, e);
      hub_.go_live(s);
    }
    // The connection counts as open (and a drain waits for it) until the stream ends.
    co_await watch_peer();
  }

  void send_event(const subscription& s, const std::shared_ptr<const encoded_event>& e) override {
    std::size_t at = 0;
    while (at < channels_.size() && channels_[at] != s.channel) ++at;
    if (at < positions_.size()) positions_[at] = e->source.id;
    std::string id = "id: ";
    if (channels_.size() == 1) {
      id += std::to_string(e->source.id);
    } else {
      for (std::size_t i = 0; i < positions_.size(); ++i) {
        if (i > 0) id += ',';
        id += std::to_string(positions_[i]);
      }
    }
    id += '\n';
    push({std::move(id), e});
  }

  void close(close_reason why) override {
    if (closing_) return;
    closing_ = why;
    if (why == close_reason::slow_consumer) {
      hub_.note_slow_consumer();
      drop();
      return;
    }
    // Said as an event, since a stream has no close code; then the writer ends it.
    std::string reason(reason_name(why));
    outbox_.push_back({"event: close\ndata: {\"reason\":\"" + reason + "\"}\n\n", nullptr});
    wake_.cancel();
  }

 private:
  void push(piece p) {
    if (closing_) return;
    if (queued_bytes_ + p.size() > hub_.config().send_queue_bytes) {
      close(close_reason::slow_consumer);
      return;
    }
    queued_bytes_ += p.size();
    outbox_.push_back(std::move(p));
    wake_.cancel();
  }

  void drop() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    done_ = true;
    wake_.cancel();
  }

  async<void> write_loop() {
    auto self = shared_from_this();
    while (!done_) {
      if (outbox_.empty()) {
        if (closing_) break;
        wake_.expires_after(heartbeat);
        auto [ec] = co_await wake_.async_wait(use_tuple);
        if (!ec && outbox_.empty() && !done_) outbox_.push_back({": heartbeat\n\n", nullptr});
        continue;
      }
      piece next = std::move(outbox_.front());
      outbox_.pop_front();
      queued_bytes_ -= std::min(queued_bytes_, next.size());
      std::array<net::const_buffer, 2> buffers{
          net::buffer(next.own),
          next.shared ? net::buffer(next.shared->sse_block) : net::const_buffer()};
      // A client that stops reading is dropped once a write has waited too long.
      deadline_.expires_after(write_timeout);
      deadline_.async_wait([self](boost::system::error_code e) {
        if (!e) self->close(close_reason::slow_consumer);
      });
      auto [ec, n] = co_await net::async_write(socket_, buffers, use_tuple);
      deadline_.cancel();
      if (ec) break;
    }
    drop();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  // The client never sends anything on a stream; its reads end when it goes away.
  async<void> watch_peer() {
    char sink[512];
    for (;;) {
      auto [ec, n] = co_await socket_.async_read_some(net::buffer(sink), use_tuple);
      if (ec) break;
    }
    if (!done_) drop();
  }

  hub& hub_;
  tcp::socket socket_;
  net::steady_timer wake_;      // the writer sleeps on it (a heartbeat when it expires)
  net::steady_timer deadline_;  // bounds each write
  std::vector<std::string> channels_;
  std::vector<std::int64_t> positions_;  // each channel's last event id sent, for the id line
  std::deque<piece> outbox_;
  std::size_t queued_bytes_ = 0;
  std::optional<close_reason> closing_;
  bool attached_ = false;
  bool done_ = false;
};

class event_stream_start final : public http::takeover {
 public:
  event_stream_start(hub& h, principal who, std::vector<std::string> channels,
                     std::vector<std::optional<std::int64_t>> since)
      : hub_(h), who_(std::move(who)), channels_(std::move(channels)), since_(std::move(since)) {}

  net::awaitable<void> run(tcp::socket socket, beast::flat_buffer, http::raw_request,
                           std::string head) override {
    auto s = std::make_shared<event_stream>(hub_, std::move(who_), std::move(socket),
                                            std::move(channels_));
    co_await s->run(std::move(head), std::move(since_));
  }

 private:
  hub& hub_;
  principal who_;
  std::vector<std::string> channels_;
  std::vector<std::optional<std::int64_t>> since_;
};

}  // namespace

std::shared_ptr<http::takeover> event_stream_takeover(
    hub& h, principal who, std::vector<std::string> channels,
    std::vector<std::optional<std::int64_t>> since) {
  return std::make_shared<event_stream_start>(h, std::move(who), std::move(channels),
                                              std::move(since));
}

}  // namespace keel::realtime
