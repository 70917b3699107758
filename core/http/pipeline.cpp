// The request pipeline: request id → access log → CORS → security headers → body limit →
// route → handler → error mapping, each step a named function below. Rate limits and
// access are the route's own (http::guard, enforced by the endpoint binding), because
// most limits are keyed on what the request says (an email, the caller), not only its address.
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include "core/http/detail/pipeline.hpp"
#include "core/http/headers.hpp"
#include "core/http/problem.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/trace.hpp"

namespace keel::http::detail {
namespace {

namespace bhttp = boost::beast::http;

// ---- step 1: request id ------------------------------------------------------------------

// A client's id is kept only when it cannot break a log line or a header.
bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string take_request_id(const request_message* message) {
  if (message != nullptr) {
    auto it = message->find("X-Request-Id");
    if (it != message->end() && sane_request_id(it->value())) return std::string(it->value());
  }
  return trace::random_hex(32);  // 128 random bits
}

// keel's span of the request: under the client's traceparent when it is valid; an invalid one
// is ignored and a new trace begins, as the W3C spec asks.
trace::span take_trace(const request_message* message) {
  std::optional<std::string_view> sent;
  if (message != nullptr) {
    auto it = message->find("traceparent");
    if (it != message->end()) sent = it->value();
  }
  return trace::continue_from(sent);
}

// ---- step 2: access log (written last, when status and duration are known) --------------

void access_log(const exchange& x, std::string_view request_id, std::string_view route, int status,
                double seconds) {
  std::string_view method = "-", path = "-";
  if (x.message != nullptr) {
    method = x.message->method_string();
    path = x.message->target();
    // The query may carry tokens or personal data: only the path is logged.
    path = path.substr(0, path.find('?'));
  }
  log::info("request", {{"request_id", request_id},
                        {"method", method},
                        {"route", route},
                        {"path", path},
                        {"status", status},
                        {"duration_ms", seconds * 1000.0},
                        {"remote", x.remote}});
}

// ---- step 3: CORS ------------------------------------------------------------------------

// The request's Origin when it is on the allow-list; empty otherwise (no CORS headers).
std::string_view allowed_origin(const request_message* message, const server_options& o) {
  if (message == nullptr || o.cors_origins.empty()) return {};
  auto it = message->find(bhttp::field::origin);
  if (it == message->end()) return {};
  for (const auto& allowed : o.cors_origins) {
    if (allowed == it->value()) return it->value();
  }
  return {};
}

bool is_preflight(const request_message& m) {
  return m.method() == bhttp::verb::options && m.count(bhttp::field::origin) > 0 &&
         m.count(bhttp::field::access_control_request_method) > 0;
}

// ---- steps 5-8: body limit, route, handler, error mapping ---------------------------------

// What the steps decided beyond the response itself; serialize() writes it.
struct decoration {
  std::string_view cors_origin;
  bool preflight = false;
  std::string allow;  // Allow (405, OPTIONS) and Access-Control-Allow-Methods (preflight)
};

std::optional<std::string_view> lookup_header(const void* message, std::string_view name) {
  const auto& m = *static_cast<const request_message*>(message);
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->value();
}

// Runs the handler; every exception becomes a problem, so nothing a client sends escapes.
net::awaitable<response> run_handler(const route& r, request& req) {
  std::optional<response> failed;
  try {
    co_return co_await r.run(req);
  } catch (const keel::error& e) {
    log::scope traced(req.trace().trace_id, req.trace().span_id);
    failed = problem_response(e, req.request_id());
  } catch (const std::exception& e) {
    log::scope traced(req.trace().trace_id, req.trace().span_id);
    failed = problem_response(e, req.request_id());
  } catch (...) {
    log::scope traced(req.trace().trace_id, req.trace().span_id);
    failed = problem_response(std::runtime_error("a non-standard exception was thrown"),
                              req.request_id());
  }
  co_return std::move(*failed);
}

// ---- serialization, with step 4 (security headers) on every response ---------------------

bool safe_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7f) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

void serialize(const response& res, const decoration& d, std::string_view request_id,
               const trace::span& span, const server_options& o, bool head, bool keep_alive,
               bool http10, std::string& out) {
  out.clear();
  int status = res.status >= 100 && res.status <= 999 ? res.status : 500;
  out += "HTTP/1.1 ";
  out += static_cast<char>('0' + status / 100);
  out += static_cast<char>('0' + status / 10 % 10);
  out += static_cast<char>('0' + status % 10);
  out += ' ';
  // RFC 9110's phrases where they differ from Beast's older ones (413, 422), so the status
  // line agrees with the problem's title.
  std::string_view reason = reason_phrase(status);
  if (reason == "Unknown") reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out += reason;
  out += "\r\n";
  bool bodiless = status < 200 || status == 204 || status == 304;
  // A taken-over connection's body is a stream of its own, with no length.
  bool streamed = res.takeover != nullptr;
  if (!bodiless) {
    if (!res.content_type.empty()) header(out, "Content-Type", res.content_type);
    if (!streamed) header(out, "Content-Length", std::to_string(res.body.size()));
  }
  header(out, "X-Request-Id", request_id);
  header(out, "traceparent", span.traceparent());
  bool has_cache_control = false;
  for (const auto& [name, value] : res.headers) {
    if (!safe_header(name, value)) {
      log::warn("dropped an unsafe response header",
                {{"request_id", request_id}, {"header", name}});
      continue;
    }
    if (boost::beast::iequals(name, "Cache-Control")) has_cache_control = true;
    header(out, name, value);
  }
  if (!d.allow.empty()) header(out, "Allow", d.allow);
  // Step 4, security headers: on every response, errors included.
  out +=
      "X-Content-Type-Options: nosniff\r\n"
      "X-Frame-Options: DENY\r\n"
      "Referrer-Policy: no-referrer\r\n";
  if (!has_cache_control) out += "Cache-Control: no-store\r\n";
  if (o.hsts) out += "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n";
  // Step 3's result: CORS headers only for an allowed origin, never "*".
  if (!o.cors_origins.empty()) out += "Vary: Origin\r\n";
  if (!d.cors_origin.empty()) {
    header(out, "Access-Control-Allow-Origin", d.cors_origin);
    out += "Access-Control-Allow-Credentials: true\r\n";
    if (d.preflight) {
      header(out, "Access-Control-Allow-Methods", d.allow);
      out +=
          "Access-Control-Allow-Headers: Authorization, Content-Type, Idempotency-Key, "
          "X-Request-Id, traceparent\r\n"
          "Access-Control-Max-Age: 600\r\n";
    } else {
      out +=
          "Access-Control-Expose-Headers: X-Request-Id, traceparent, Retry-After, Allow, "
          "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset\r\n";
    }
  }
  if (res.takeover != nullptr) {
    // The takeover owns the connection now: no keep-alive and no close to announce.
  } else if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (http10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (!head && !bodiless && !streamed) out += res.body;
}

}  // namespace

net::awaitable<void> answer(exchange& x, loop_state& loop) {
  const auto& o = loop.shared.options;
  const request_message* m = x.message;
  decoration d;
  response res;
  std::string_view route_label = "unmatched";
  method verb = m != nullptr ? parse_method(m->method_string()) : method::other;

  // 1. Request id: the client's when sane, else a new one; echoed in X-Request-Id.
  std::optional<request> req;
  std::string request_id = take_request_id(m);
  trace::span span = take_trace(m);
  if (m != nullptr) {
    req.emplace(verb, m->target(), m->body(), m, &lookup_header);
    req->set_request_id(std::move(request_id));
    req->set_trace(std::move(span));
    req->set_remote_address(x.remote);
    if (auto it = m->find("X-Forwarded-For"); it != m->end()) {
      req->set_client_ip(forwarded_client(it->value(), o.trusted_proxy_hops));
    }
  }
  std::string_view id = req ? std::string_view(req->request_id()) : request_id;
  const trace::span& traced = req ? req->trace() : span;

  // 2. Access log: see the end of this function.
  // 3. CORS: decide the origin now; a preflight is answered here and goes no further.
  d.cors_origin = allowed_origin(m, o);
  // 4. Security headers: added by serialize() to whatever comes out below.
  if (x.rejected != nullptr) {
    // 5. Body limit and parse: the transport already refused the request (413, 408, 400).
    res = problem_response(x.rejected->status, x.rejected->code, x.rejected->detail, id);
  } else if (is_preflight(*m)) {
    auto found = loop.shared.routes.find(method::other, req->path());
    if (found.allowed.empty()) {
      res = problem_response(not_found("No route matches this path."), id);
    } else {
      d.preflight = true;
      d.allow = std::move(found.allowed);
      res = response::no_content();
    }
  } else {
    // 6. Route, 7. handler (its guard: access, then rate limits), 8. error mapping. A 429
    // or 401 still passes through serialize(), so a refused browser reads the problem.
    auto found = loop.shared.routes.find(verb, req->path());
    if (found.found != nullptr) {
      route_label = found.found->path;
      req->set_path_params(std::move(found.params));
      req->set_guard(&loop.shared.routes.guard());
      res = co_await run_handler(*found.found, *req);
      for (auto& h : req->response_headers()) res.headers.push_back(std::move(h));
    } else if (found.allowed.empty()) {
      res = problem_response(not_found("No route matches this path."), id);
    } else if (verb == method::options) {
      // A plain OPTIONS asks what the path supports (RFC 9110 9.3.7).
      d.allow = std::move(found.allowed);
      res = response::no_content();
    } else {
      d.allow = std::move(found.allowed);
      res = problem_response(keel::error(error_kind::method_not_allowed, "method_not_allowed",
                                         "This path does not support the method."),
                             id);
    }
  }

  // The connection stays open only when the client wants it, the request was read whole,
  // and the server is not shutting down.
  x.keep_alive = m != nullptr && x.rejected == nullptr && m->keep_alive() &&
                 !loop.shared.shutting_down.load(std::memory_order_relaxed);
  bool head = verb == method::head;
  // From here on nothing suspends: the request's lines (a dropped header, the access log)
  // carry its trace.
  log::scope scoped(traced.trace_id, traced.span_id);
  serialize(res, d, id, traced, o, head, x.keep_alive, m != nullptr && m->version() < 11, *x.out);
  x.takeover = std::move(res.takeover);

  double seconds = std::chrono::duration<double>(clock::now() - x.start).count();
  loop.recorder.record(route_label, method_name(verb), res.status, seconds);
  // 2. Access log, now that status and duration are known.
  if (o.access_log) access_log(x, id, route_label, res.status, seconds);
}

}  // namespace keel::http::detail
