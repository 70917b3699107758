// Handing a connection over after the handler answered: a WebSocket, or a stream of
// Server-Sent Events. A handler returns a response with `takeover` set; the session sends
// nothing and calls run() with the socket, which is then the takeover's until it returns.
// This header pulls in Asio and Beast: only the files that implement a takeover include it.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

namespace keel::http {

using raw_request = boost::beast::http::request<boost::beast::http::string_body>;

class takeover {
 public:
  virtual ~takeover() = default;

  // `head` is the response head the pipeline made of the handler's answer (status line,
  // security and CORS headers, no Content-Length): send it first, or answer the upgrade
  // another way (a WebSocket accept writes its own 101). `buffer` holds whatever the client
  // sent after the request. Runs detached from the HTTP session, whose state is freed: an
  // idle live connection costs only what the takeover keeps. Shutdown and timeouts are the
  // takeover's own; everything is handed over by value, so let go of what is not needed.
  virtual boost::asio::awaitable<void> run(boost::asio::ip::tcp::socket socket,
                                           boost::beast::flat_buffer buffer, raw_request request,
                                           std::string head) = 0;
};

}  // namespace keel::http
