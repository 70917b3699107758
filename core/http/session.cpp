// One HTTP/1.1 connection: read headers, check limits, read the body, answer, repeat.
#include "core/http/detail/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>

#include "core/http/detail/connections.hpp"
#include "core/http/detail/framing.hpp"
#include "core/http/detail/pipeline.hpp"
#include "core/http/takeover.hpp"

namespace keel::http::detail {
namespace {

namespace bhttp = boost::beast::http;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Time allowed to hand a refusal (408, 400, ...) to a client that is about to be dropped.
constexpr std::chrono::seconds farewell_timeout{2};

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::operation_aborted ||
         ec == net::error::bad_descriptor;
}

std::string remote_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "-";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

using request_parser = bhttp::request_parser<bhttp::string_body>;

// Sends `bytes`, first with plain non-blocking writes: a small response nearly always fits in
// the socket buffer, and finishing inline saves the scheduler round trip an asynchronous
// completion costs. Only what does not fit waits for the socket.
net::awaitable<boost::system::error_code> send(connection& conn, std::string_view bytes) {
  boost::system::error_code ec;
  while (!bytes.empty()) {
    std::size_t n = conn.socket.write_some(net::buffer(bytes), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) break;
    if (ec) co_return ec;
    bytes.remove_prefix(n);
  }
  if (!bytes.empty()) {
    auto [wec, wn] = co_await net::async_write(conn.socket, net::buffer(bytes), use_tuple);
    ec = wec;
  }
  co_return ec;
}

// Parses the headers already buffered, reading more only when they are incomplete, for the
// same reason: bhttp::async_read_header would complete asynchronously even when the whole
// request is already in the buffer (the common case after the idle read).
net::awaitable<boost::system::error_code> read_header(connection& conn,
                                                      boost::beast::flat_buffer& buffer,
                                                      request_parser& parser) {
  boost::system::error_code ec;
  for (;;) {
    if (buffer.size() > 0) {
      std::size_t used = parser.put(buffer.data(), ec);
      // The parser takes a header block whole, so `used` bytes are exactly its headers.
      std::string_view block(static_cast<const char*>(buffer.data().data()), used);
      bool folded = parser.is_header_done() && has_obs_fold(block);
      buffer.consume(used);
      if (folded) co_return bhttp::error::bad_field;
      if (parser.is_header_done()) co_return boost::system::error_code{};
      if (ec && ec != bhttp::error::need_more) co_return ec;
      if (!ec && used > 0) continue;
    }
    auto [rec, n] = co_await conn.socket.async_read_some(buffer.prepare(4096), use_tuple);
    if (rec == net::error::eof) {
      // The client hung up mid-headers (or before any): a disconnect, not a bad request.
      co_return bhttp::error::partial_message;
    }
    if (rec) co_return rec;
    buffer.commit(n);
  }
}

// Closes after a refusal without losing it: a client still sending the body it was refused
// would otherwise get a reset, which can destroy the response before it reads it. So stop
// sending, then read and discard for a moment (as nginx's lingering close does).
net::awaitable<void> linger(connection& conn) {
  boost::system::error_code ignored;
  conn.socket.shutdown(tcp::socket::shutdown_send, ignored);
  conn.timed_out = false;
  conn.deadline = clock::now() + farewell_timeout;
  char sink[4096];
  for (std::size_t total = 0; total < 4 * 1024 * 1024;) {
    auto [ec, n] = co_await conn.socket.async_read_some(net::buffer(sink), use_tuple);
    if (ec) break;
    total += n;
  }
}

// Answers a request the transport refused, then the caller closes the connection.
net::awaitable<void> refuse(connection& conn, loop_state& loop, const rejection& why,
                            const request_message* message, std::string_view remote,
                            std::string& out) {
  exchange x{message, &why, remote, clock::now(), &out, false, nullptr};
  co_await answer(x, loop);
  conn.timed_out = false;
  conn.deadline = clock::now() + farewell_timeout;
  auto ec = co_await send(conn, out);
  // A client too slow to send its request gets no extra time to read the answer.
  if (!ec && &why != &slow_client) co_await linger(conn);
}

}  // namespace

net::awaitable<void> run_session(tcp::socket socket, loop_state& loop) {
  connection conn(std::move(socket));
  registration registered(loop, conn);
  const server_options& o = loop.shared.options;
  const std::string remote = remote_of(conn.socket);
  boost::system::error_code blocking_ec;
  conn.socket.non_blocking(true, blocking_ec);  // see send()
  boost::beast::flat_buffer buffer;
  std::string out;
  std::optional<request_parser> parser;
  // A new connection must deliver its first headers within header_timeout of the accept.
  clock::time_point header_deadline = clock::now() + o.header_timeout;
  bool first = true;

  while (!loop.shared.shutting_down.load(std::memory_order_relaxed)) {
    // Wait for the next request's first bytes: the idle phase, which shutdown may cut short.
    if (buffer.size() == 0) {
      conn.idle = true;
      conn.deadline = first ? header_deadline : clock::now() + o.idle_timeout;
      auto [ec, n] = co_await conn.socket.async_read_some(buffer.prepare(4096), use_tuple);
      conn.idle = false;
      if (ec) break;  // closed by the client, idle timeout, or shutdown
      buffer.commit(n);
      if (!first) header_deadline = clock::now() + o.header_timeout;
    } else if (!first) {
      header_deadline = clock::now() + o.header_timeout;  // a pipelined request
    }
    first = false;

    // Headers, within header_timeout of their first byte (a slow-loris client is dropped).
    parser.emplace();
    parser->header_limit(header_limit);
    parser->body_limit(boost::none);  // checked below, so a 413 still gets full headers
    conn.deadline = header_deadline;
    auto hec = co_await read_header(conn, buffer, *parser);
    if (hec) {
      if (conn.timed_out) {
        co_await refuse(conn, loop, slow_client, nullptr, remote, out);
      } else if (hec == bhttp::error::header_limit) {
        co_await refuse(conn, loop, header_too_large, nullptr, remote, out);
      } else if (!is_disconnect(hec)) {
        co_await refuse(conn, loop, malformed, nullptr, remote, out);
      }
      break;
    }
    const auto start = clock::now();
    request_message& message = parser->get();

    // Body: refuse ambiguous framing or a Content-Length over the limit before reading a byte
    // of it, and cap chunked bodies.
    const rejection* rejected = framing_problem(message);
    if (rejected != nullptr) {
      // Nothing of the body is read: the connection closes after the answer.
    } else if (auto length = parser->content_length(); length && *length > o.body_limit) {
      rejected = &too_large;
    } else if (!parser->is_done()) {
      parser->body_limit(o.body_limit);
      if (auto expect = message.find(bhttp::field::expect);
          expect != message.end() && boost::beast::iequals(expect->value(), "100-continue")) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        conn.deadline = clock::now() + o.body_timeout;
        if (co_await send(conn, go_on)) break;
      }
      conn.deadline = clock::now() + o.body_timeout;
      auto [bec, bn] = co_await bhttp::async_read(conn.socket, buffer, *parser, use_tuple);
      if (bec == bhttp::error::body_limit) {
        rejected = &too_large;
      } else if (bec && conn.timed_out) {
        rejected = &slow_client;
      } else if (bec && is_disconnect(bec)) {
        break;
      } else if (bec) {
        rejected = &malformed;
      }
    }

    // The handler has no deadline here: it bounds its own waits (pool acquire, statements).
    conn.deadline = clock::time_point::max();
    conn.timed_out = false;
    exchange x{&message, rejected, remote, start, &out, false, nullptr};
    co_await answer(x, loop);
    if (x.takeover != nullptr) {
      // The connection is the takeover's now (a WebSocket, an event stream), on this loop; this
      // session ends and frees its parser and buffers. The takeover closes its connections
      // itself at shutdown (realtime does, before the drain).
      net::co_spawn(
          loop.ioc,
          [taker = std::move(x.takeover), socket = std::move(conn.socket), rest = std::move(buffer),
           request = std::move(message), head = std::move(out)]() mutable -> net::awaitable<void> {
            co_await taker->run(std::move(socket), std::move(rest), std::move(request),
                                std::move(head));
          },
          net::detached);
      co_return;
    }

    // Writing is bounded too, so a client that never reads cannot hold the connection.
    conn.deadline = clock::now() + o.body_timeout;
    if (co_await send(conn, out)) break;
    if (!x.keep_alive) {
      if (rejected != nullptr) co_await linger(conn);
      break;
    }
    // Large bodies are not kept around between requests.
    if (out.capacity() > 64 * 1024) std::string().swap(out);
  }

  boost::system::error_code ignored;
  conn.socket.shutdown(tcp::socket::shutdown_send, ignored);
  conn.socket.close(ignored);
}

}  // namespace keel::http::detail
