// What a handler returns: a status, a body and any extra headers.
#pragma once
#include <boost/json/fwd.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::http {

class takeover;  // core/http/takeover.hpp

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the ones the server adds
  // When set, the connection is handed to it after the head is made (no body is sent).
  std::shared_ptr<http::takeover> takeover;

  static response json(const boost::json::value& body, int status = 200);
  static response text(std::string body, std::string content_type = "text/plain; charset=utf-8",
                       int status = 200);
  static response no_content();

  response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // The value of an extra header set by the handler or a middleware step, if any.
  const std::string* find_header(std::string_view name) const;
};

}  // namespace keel::http
