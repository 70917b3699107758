// Private to the server: turns one parsed request (or a transport failure) into response bytes.
#pragma once
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/detail/state.hpp"
#include "core/http/response.hpp"

namespace keel::http::detail {

using request_message = boost::beast::http::request<boost::beast::http::string_body>;

// Why the transport refused a request before any handler could see it.
struct rejection {
  int status;
  std::string_view code;
  std::string_view detail;
};

struct exchange {
  const request_message* message = nullptr;  // null when the request could not be parsed
  const rejection* rejected = nullptr;
  std::string_view remote;
  clock::time_point start;
  std::string* out = nullptr;  // the serialized response is written here
  bool keep_alive = false;     // set by answer(): whether the connection may stay open
  // Set by answer() when the handler takes the connection over; *out is then only the head.
  std::shared_ptr<http::takeover> takeover;
};

// Runs the middleware steps and the handler, in DESIGN.md's order, and serializes the
// response into *x.out. Never throws for anything a client sends.
net::awaitable<void> answer(exchange& x, loop_state& loop);

}  // namespace keel::http::detail
