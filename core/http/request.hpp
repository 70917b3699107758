// What a handler sees of an HTTP request: views into the server's parsed message.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/runtime/trace.hpp"

namespace keel::http {

struct guard;

enum class method { get, head, post, put, patch, delete_, options, other };

std::string_view method_name(method m);  // "GET", ...
method parse_method(std::string_view name);

// Valid only while the handler runs: every view points into the server's buffers.
class request {
 public:
  // Looks up a header, case-insensitively, in the transport's message.
  using header_lookup = std::optional<std::string_view> (*)(const void* message,
                                                            std::string_view name);

  request(method verb, std::string_view target, std::string_view body, const void* message,
          header_lookup lookup);

  method verb() const { return verb_; }
  std::string_view target() const { return target_; }  // path and query as sent
  std::string_view path() const { return path_; }      // without the query
  std::string_view query_string() const { return query_; }
  std::string_view body() const { return body_; }
  std::optional<std::string_view> header(std::string_view name) const {
    return lookup_(message_, name);
  }

  // A query parameter, percent-decoded ('+' is a space); nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // Every value of a repeated parameter (?size=a&size=b), in the order sent.
  std::vector<std::string> query_params(std::string_view name) const;
  // The decoded name of every parameter sent, repeats included.
  std::vector<std::string> query_names() const;

  // A path parameter captured by the router ("slug" for "/templates/{slug}"), as sent.
  // Throws keel::validation_failed naming it when it is not UTF-8 text without NUL (a raw
  // 0xFF byte in the path), so no handler passes such bytes on.
  std::string_view path_param(std::string_view name) const;
  void set_path_params(std::vector<std::pair<std::string_view, std::string_view>> params) {
    path_params_ = std::move(params);
  }

  const std::string& request_id() const { return request_id_; }
  void set_request_id(std::string id) { request_id_ = std::move(id); }

  // keel's span of the request's trace: under the client's `traceparent` when it sent a
  // valid one, else the root of a new trace. Echoed in the response's traceparent, written in
  // the request's log lines and carried into the jobs it enqueues.
  const trace::span& trace() const { return trace_; }
  void set_trace(trace::span s) { trace_ = std::move(s); }

  std::string_view remote_address() const { return remote_address_; }  // "ip:port"
  // The TCP peer's IP, without the port.
  std::string_view remote_ip() const {
    auto colon = remote_address_.rfind(':');
    return colon == std::string_view::npos ? remote_address_ : remote_address_.substr(0, colon);
  }
  // The client's IP: the TCP peer's, or behind trusted proxies (TRUSTED_PROXY_HOPS) the one
  // they saw. What rate limits and the audit log key on.
  std::string_view client_ip() const { return client_ip_.empty() ? remote_ip() : client_ip_; }
  void set_client_ip(std::string_view ip) { client_ip_ = ip; }
  void set_remote_address(std::string_view address) { remote_address_ = address; }

  // Headers a handler's helpers want on the answer whatever it turns out to be, success or
  // problem (e.g. RateLimit-Remaining, Set-Cookie); the pipeline appends them.
  void add_response_header(std::string name, std::string value) {
    response_headers_.emplace_back(std::move(name), std::move(value));
  }
  std::vector<std::pair<std::string, std::string>>& response_headers() { return response_headers_; }

  // What enforces the route's access rule and rate limits (the router's; see guard.hpp).
  const http::guard* guard() const { return guard_; }
  void set_guard(const http::guard* g) { guard_ = g; }

 private:
  method verb_;
  std::string_view target_;
  std::string_view path_;
  std::string_view query_;
  std::string_view body_;
  const void* message_;
  header_lookup lookup_;
  std::vector<std::pair<std::string_view, std::string_view>> path_params_;
  std::string request_id_;
  trace::span trace_;
  std::string_view remote_address_;
  std::string_view client_ip_;
  std::vector<std::pair<std::string, std::string>> response_headers_;
  const http::guard* guard_ = nullptr;
};

}  // namespace keel::http
