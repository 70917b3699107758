// keel-api in-process: the bytes a client sends on one connection, through Beast's parser with
// the session's limits and framing checks (core/http/session.cpp), then the pipeline (request
// id, CORS, route, the endpoint binding's decoding, validation, access check, the handler,
// error mapping, serialization) of the router keel-api serves (api/routes/routes.cpp).
// Pipelined requests are answered in turn while the connection would stay open. No socket and
// no database: the pool points at a socket that does not exist, so a route that reaches
// PostgreSQL answers 503 at once, as it does while the database is down.
#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/app.hpp"
#include "api/routes/routes.hpp"
#include "core/http/detail/framing.hpp"
#include "core/http/detail/pipeline.hpp"
#include "core/http/settings.hpp"
#include "core/runtime/program.hpp"

namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using namespace keel::http::detail;

constexpr int max_requests = 8;  // pipelined on one connection, per input

keel::api::settings fuzz_settings() {
  const std::map<std::string_view, std::string> env = {
      {"DATABASE_URL", "postgresql:///keel?host=/nonexistent/keel-fuzz"},
      {"JWT_SIGNING_KEYS", "fuzz:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"},
      {"HTTP_THREADS", "1"},
      {"PASSWORD_HASH_THREADS", "1"},
      {"LOG_LEVEL", "error"},
      {"ACCESS_LOG", "false"},
      // Every input comes from one address: counted limits would answer 429 to nearly all.
      {"RATE_LIMITS", "false"},
      {"CORS_ORIGINS", "https://app.example.com"},
      {"TRUSTED_PROXY_HOPS", "1"},
      {"HTTP_BODY_LIMIT", "65536"},
  };
  auto cfg = keel::runtime::load_config<keel::api::settings>(
      [&](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  keel::runtime::configure_logging(cfg.runtime);
  return cfg;
}

// keel-api as main() builds it, without its listener: one loop, run by the fuzzing thread.
struct served_api {
  served_api() : app(fuzz_settings()) {
    keel::api::add_routes(app);
    if (!app.router.check().empty()) std::abort();
  }
  keel::api::app app;
  shared_state shared{app.router, keel::http::server_options_from(app.cfg.http), app.metrics};
  loop_state loop{app.loops.loop(0), shared};
};

served_api& keel_api() {
  static served_api* instance =
      new served_api;  // never destroyed: the loop's pending work outlives a run
  return *instance;
}

// Answers one request (or refusal) as the session would, running the loop until it is done.
bool answer_one(served_api& a, const request_message* message, const rejection* rejected) {
  std::string out;
  exchange x{message, rejected, "127.0.0.1:40000", std::chrono::steady_clock::now(), &out,
             false,   nullptr};
  bool done = false;
  net::co_spawn(a.loop.ioc, answer(x, a.loop), [&](std::exception_ptr e) {
    if (e) std::abort();  // answer() never throws for anything a client sends
    done = true;
  });
  while (!done) a.loop.ioc.run_one();
  if (!out.starts_with("HTTP/1.1 ")) std::abort();
  // KEEL_FUZZ_PRINT=1 shows each answer's status line: what a seed reaches.
  static const bool print = std::getenv("KEEL_FUZZ_PRINT") != nullptr;
  if (print) std::fprintf(stderr, "%.*s\n", static_cast<int>(out.find('\r')), out.data());
  return x.keep_alive && x.takeover == nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  served_api& a = keel_api();
  std::string_view buffer(reinterpret_cast<const char*>(data), size);
  const std::size_t body_limit = a.shared.options.body_limit;

  for (int n = 0; n < max_requests && !buffer.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(boost::none);
    boost::system::error_code ec;
    std::size_t used = parser.put(net::buffer(buffer.data(), buffer.size()), ec);
    bool folded = parser.is_header_done() && has_obs_fold(buffer.substr(0, used));
    buffer.remove_prefix(used);
    if (!parser.is_header_done()) {
      // The session would wait for the rest and give up after HTTP_HEADER_TIMEOUT.
      const rejection* why = ec == bhttp::error::header_limit ? &header_too_large
                             : ec == bhttp::error::need_more  ? &slow_client
                                                              : &malformed;
      answer_one(a, nullptr, why);
      return 0;
    }
    if (folded) {
      answer_one(a, nullptr, &malformed);
      return 0;
    }

    request_message& message = parser.get();
    const rejection* rejected = framing_problem(message);
    if (rejected == nullptr) {
      if (auto length = parser.content_length(); length && *length > body_limit) {
        rejected = &too_large;
      } else if (!parser.is_done()) {
        parser.body_limit(body_limit);
        while (!parser.is_done() && !ec) {
          used = parser.put(net::buffer(buffer.data(), buffer.size()), ec);
          buffer.remove_prefix(used);
          if (used == 0 && !ec) ec = bhttp::error::need_more;
        }
        if (ec == bhttp::error::body_limit) {
          rejected = &too_large;
        } else if (ec == bhttp::error::need_more) {
          rejected = &slow_client;
        } else if (ec) {
          rejected = &malformed;
        }
      }
    }
    if (!answer_one(a, &message, rejected) || rejected != nullptr) return 0;
  }
  return 0;
}
