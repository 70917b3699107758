// A hostile-input sweep: the valid request of every route (found in /openapi.json), mutated in
// bytes, lengths, encodings, JSON shape, headers, framing, path and query, for a bounded time.
// keel-api must answer each with a typed problem and quickly, keep /health fast, its memory
// bounded and its log lines JSON, and stay up. Seeded: KEEL_SWEEP_SEED repeats a run.
//
// Longer or different runs, through the environment (defaults in sweep_settings):
//   KEEL_SWEEP_SEED, KEEL_SWEEP_SECONDS (20), KEEL_SWEEP_REQUESTS (20000), KEEL_SWEEP_CLIENTS (2),
//   KEEL_SWEEP_SLOW_MS (2000, per request), KEEL_SWEEP_HEALTH_P99_MS (200),
//   KEEL_SWEEP_HEALTH_MAX_MS (1000), KEEL_SWEEP_RSS_MB (200), KEEL_SWEEP_RATE_LIMITS (false),
//   KEEL_SWEEP_OUT (where the report and each finding's exact request are written; by default
//   /tmp/keel-sweep-<seed> when something was found). A finding's .http file is the request's
//   bytes: `nc 127.0.0.1 PORT < finding-1.http` sends it again.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "../support/api_server.hpp"
#include "../support/hostile.hpp"
#include "../support/raw_http.hpp"
#include "../support/schema_example.hpp"
#include "auth_stack.hpp"

using namespace keel::test;
using namespace std::chrono_literals;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

// ---- settings -----------------------------------------------------------------------------

std::uint64_t env_number(const char* name, std::uint64_t otherwise) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return otherwise;
  return std::strtoull(v, nullptr, 0);
}

struct sweep_settings {
  std::uint64_t seed = env_number("KEEL_SWEEP_SEED", std::random_device{}());
  std::chrono::seconds duration{env_number("KEEL_SWEEP_SECONDS", 20)};
  std::size_t max_requests = env_number("KEEL_SWEEP_REQUESTS", 20000);
  int clients = static_cast<int>(env_number("KEEL_SWEEP_CLIENTS", 2));
  std::chrono::milliseconds slow{env_number("KEEL_SWEEP_SLOW_MS", 2000)};
  std::chrono::milliseconds health_p99{env_number("KEEL_SWEEP_HEALTH_P99_MS", 200)};
  // One request that stalls an event loop shows as one slow probe, which the p99 hides.
  std::chrono::milliseconds health_max{env_number("KEEL_SWEEP_HEALTH_MAX_MS", 1000)};
  std::size_t rss_limit_mb = env_number("KEEL_SWEEP_RSS_MB", 200);
  std::string out_dir = std::getenv("KEEL_SWEEP_OUT") ? std::getenv("KEEL_SWEEP_OUT") : "";
  // Off by default, so that refusals do not hide the routes behind them; "true" sweeps the
  // limiter and the lockout too.
  std::string rate_limits =
      std::getenv("KEEL_SWEEP_RATE_LIMITS") ? std::getenv("KEEL_SWEEP_RATE_LIMITS") : "false";
};

constexpr const char* allowed_origin = "http://127.0.0.1:3000";

// ---- what the API offers ------------------------------------------------------------------

struct route_spec {
  std::string method;  // upper case
  std::string path;    // with {params}
  json::value operation;
  bool bearer = false;
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Every operation of the document, plus the routes it hides (metrics, the document, docs).
std::vector<route_spec> routes_of(const json::value& doc) {
  std::vector<route_spec> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      route_spec r{upper(std::string(method)), std::string(path), op, false};
      r.bearer = op.as_object().contains("security");
      out.push_back(std::move(r));
    }
  }
  for (const char* hidden : {"/metrics", "/openapi.json", "/docs"}) {
    out.push_back({"GET", hidden, json::object{}, false});
  }
  return out;
}

std::string route_name(const route_spec& r) {
  return r.method + " " + r.path;
}

// ---- the accounts the sweep signs in with -------------------------------------------------

struct identity {
  std::string email;
  std::string password;
  std::string access;
  std::string refresh;
  std::string user_id;
  std::string session_id;
};

const header_list json_type = {{"Content-Type", "application/json"}};

header_list with_bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// The world the sweep runs in: a keel-api, three accounts kept signed in (a user, an admin, and
// a spare one for the requests that end sessions), and real ids and cursors for paths.
class sweep_world {
 public:
  sweep_world(api_server& api, std::uint64_t seed) : api_(api), seed_(seed) {
    auto doc = api_.get("/openapi.json");
    REQUIRE(doc.status == 200);
    document_ = json::parse(doc.body);
    routes_ = routes_of(document_);
    user_ = sign_up(false);
    admin_ = sign_up(true);
    spare_ = sign_up(false);
    victim_id_ = sign_up(false).user_id;
    seed_link_tokens();
    discover();
  }

  const std::vector<route_spec>& routes() const { return routes_; }

  // Checks each account still works and signs it in again (or replaces it) when not; run
  // several times a second, as mutated requests log out, end sessions and spend tokens.
  void keep_signed_in() {
    for (auto* who : {&user_, &admin_, &spare_}) {
      identity copy;
      {
        std::lock_guard lock(mutex_);
        copy = *who;
      }
      if (api_.get("/api/v1/auth/me", with_bearer(copy.access)).status == 200) continue;
      identity fresh = copy;
      if (!sign_in(fresh)) fresh = sign_up(who == &admin_);
      std::lock_guard lock(mutex_);
      *who = fresh;
      ++renewals_;
    }
    // Mutated requests delete and cancel jobs too: point at one that is still there.
    std::string admin_token, job;
    {
      std::lock_guard lock(mutex_);
      admin_token = admin_.access;
      job = job_id_;
    }
    if (api_.get("/api/v1/admin/jobs/" + job, with_bearer(admin_token)).status == 404) {
      auto jobs = api_.get("/api/v1/admin/jobs?limit=1&state=available", with_bearer(admin_token));
      if (jobs.status != 200) return;
      json::value page = jobs.json();
      const auto& list = page.at("data").as_array();
      if (list.empty()) return;
      std::lock_guard lock(mutex_);
      job_id_ = std::string(list[0].at("id").as_string());
    }
  }

  int renewals() const { return renewals_; }

  // Every password and token handed out so far: none of them may reach the log.
  std::set<std::string> secrets() {
    std::lock_guard lock(mutex_);
    return secrets_;
  }

  // The valid request of `r`, with the current accounts and real ids.
  wire_request base(const route_spec& r, std::mt19937_64& rng, mutation_inputs& inputs) {
    std::lock_guard lock(mutex_);
    const identity& who = identity_for(r);
    inputs.bearer_token = who.access;
    inputs.refresh_token = spare_.refresh;
    inputs.allowed_origin = allowed_origin;

    wire_request w;
    w.method = r.method;
    w.headers = {{"Host", "127.0.0.1:" + std::to_string(api_.port())},
                 {"User-Agent", "keel-sweep/1"},
                 {"Accept", "application/json"}};
    if (r.bearer) w.headers.emplace_back("Authorization", "Bearer " + who.access);
    w.target = path_with_params(r, who);
    std::string query = query_of(r, rng);
    if (!query.empty()) w.target += "?" + query;

    const json::object& op = r.operation.as_object();
    if (const auto* body = op.if_contains("requestBody")) {
      const json::value& schema = body->at("content").at("application/json").at("schema");
      schema_examples examples(document_);
      std::string route = route_name(r);
      json::value example = examples.example(
          schema, [&](std::string_view property) { return body_override(route, property, who); });
      w.body = json::serialize(example);
      w.headers.emplace_back("Content-Type", "application/json");
    }
    return w;
  }

 private:
  const identity& identity_for(const route_spec& r) const {
    if (r.path.find("/admin/") != std::string::npos) return admin_;
    bool ends_sessions = r.path.find("logout") != std::string::npos ||
                         r.path.find("refresh") != std::string::npos ||
                         r.path.find("password/change") != std::string::npos ||
                         (r.method == "DELETE" && r.path.find("/sessions") != std::string::npos) ||
                         (r.method == "DELETE" && r.path == "/api/v1/auth/me");
    return ends_sessions ? spare_ : user_;
  }

  std::optional<json::value> body_override(const std::string& route, std::string_view property,
                                           const identity& who) {
    if (property == "email") {
      if (route.find("/register") != std::string::npos) return json::value(new_email());
      return json::value(who.email);
    }
    if (property == "password" && route.find("/login") != std::string::npos) {
      return json::value(who.password);
    }
    if (property == "password" || property == "current_password" || property == "new_password") {
      return json::value(who.password);  // a change to the same password keeps it working
    }
    if (property == "refresh_token") return json::value(who.refresh);
    if (property == "token") {
      // A link token that works (once), so the sweep gets past the token check.
      bool reset = route.find("/password/reset") != std::string::npos;
      int n = (reset ? ++resets_ : ++verifications_) % link_tokens;
      return json::value((reset ? "sweep-reset-" : "sweep-verify-") + std::to_string(n));
    }
    if (property == "name") return json::value("Sweep Tester");
    if (property == "role") return json::value("user");
    if (property == "disabled") return json::value(false);
    if (property == "schedule") return json::value(nullptr);  // a trigger has event or schedule
    return std::nullopt;
  }

  std::string path_with_params(const route_spec& r, const identity& who) const {
    std::string out;
    const std::string& p = r.path;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] != '{') {
        out += p[i];
        continue;
      }
      auto close = p.find('}', i);
      std::string name = p.substr(i + 1, close - i - 1);
      i = close;
      if (name == "slug") {
        out += slug_;
      } else if (p.find("/auth/sessions/") != std::string::npos) {
        out += who.session_id;
      } else if (p.find("/admin/jobs/") != std::string::npos) {
        out += job_id_;
      } else if (p.find("/admin/users/") != std::string::npos) {
        out += victim_id_;
      } else {
        out += "sample";
      }
    }
    return out;
  }

  // Required parameters always, optional ones half the time, cursors only real ones.
  std::string query_of(const route_spec& r, std::mt19937_64& rng) const {
    const json::object& op = r.operation.as_object();
    const json::value* params = op.if_contains("parameters");
    if (params == nullptr) return {};
    schema_examples examples(document_);
    std::string out;
    for (const auto& p : params->as_array()) {
      const json::object& param = p.as_object();
      if (param.at("in").as_string() != "query") continue;
      std::string name(param.at("name").as_string());
      bool required = param.contains("required") && param.at("required").as_bool();
      if (!required && rng() % 2 == 0) continue;
      std::string value;
      if (name == "cursor") {
        auto it = cursors_.find(r.path);
        if (it == cursors_.end()) continue;
        value = it->second;
      } else if (name == "user_id") {
        value = victim_id_;
      } else {
        json::value v = examples.example(param.at("schema"));
        if (v.is_array()) {
          // A repeatable parameter (OpenAPI's default form for a query array): name=a&name=b.
          for (const auto& item : v.as_array()) {
            std::string text =
                item.is_string() ? std::string(item.as_string()) : json::serialize(item);
            out += (out.empty() ? "" : "&") + name + "=" + percent_encode(text);
          }
          continue;
        }
        value = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
      }
      out += (out.empty() ? "" : "&") + name + "=" + percent_encode(value);
    }
    return out;
  }

  std::string new_email() {
    return "sweep-" + std::to_string(seed_ % 100000) + "-" + std::to_string(++serial_) +
           "@example.com";
  }

  // A new account (an admin through keel-cron users.promote when asked), signed in.
  identity sign_up(bool admin) {
    identity who;
    who.email = new_email();
    who.password = "correct horse battery " + std::to_string(serial_);
    json::object body{{"email", who.email}, {"password", who.password}};
    auto r = api_.request("POST", "/api/v1/auth/register", json_type, json::serialize(body));
    if (r.status != 201) throw std::runtime_error("register answered " + r.body);
    take_tokens(who, r.json());
    if (admin) {
      process cron(binary("keel-cron"), {"run", "users.promote", "--email", who.email},
                   {{"DATABASE_URL", api_.database_url()}, {"LOG_LEVEL", "warn"}});
      if (cron.wait(30s) != std::optional<int>(0)) {
        throw std::runtime_error("users.promote failed: " + cron.output());
      }
    }
    return who;
  }

  bool sign_in(identity& who) {
    json::object body{{"email", who.email}, {"password", who.password}};
    auto r = api_.request("POST", "/api/v1/auth/login", json_type, json::serialize(body));
    if (r.status != 200) return false;
    take_tokens(who, r.json());
    return true;
  }

  void take_tokens(identity& who, const json::value& tokens) {
    who.access = std::string(tokens.at("access_token").as_string());
    who.refresh = std::string(tokens.at("refresh_token").as_string());
    who.user_id = std::string(tokens.at("user").at("id").as_string());
    auto sessions = api_.get("/api/v1/auth/sessions", with_bearer(who.access));
    if (sessions.status == 200) {
      json::value list = sessions.json();
      for (const auto& s : list.at("data").as_array()) {
        if (s.at("current").as_bool()) who.session_id = std::string(s.at("id").as_string());
      }
    }
    std::lock_guard lock(mutex_);
    secrets_.insert(who.password);
    secrets_.insert(who.access);
    secrets_.insert(who.refresh);
  }

  // The emailed links' tokens are stored only as SHA-256, so the sweep writes its own: tokens
  // "sweep-verify-N" (the user's address) and "sweep-reset-N" (the victim's password).
  static constexpr int link_tokens = 5000;
  void seed_link_tokens() {
    secrets_.insert("sweep-verify-");  // no link token may reach the log either
    secrets_.insert("sweep-reset-");
    sql_client sql(api_.database_url());
    for (auto [purpose, prefix, user] :
         {std::tuple{"verify_email", "sweep-verify-", user_.user_id},
          std::tuple{"reset_password", "sweep-reset-", victim_id_}}) {
      sql.scalar(
          std::string("INSERT INTO auth_tokens (token_hash, user_id, purpose, expires_at) ") +
          "SELECT encode(sha256(convert_to('" + prefix + "' || n, 'UTF8')), 'hex'), '" + user +
          "', '" + purpose + "', now() + interval '1 hour' " + "FROM generate_series(0, " +
          std::to_string(link_tokens - 1) + ") AS n");
    }
  }

  // A template slug, a job id and a next page's cursor of every list route.
  void discover() {
    auto templates = api_.get("/api/v1/templates?limit=1");
    REQUIRE(templates.status == 200);
    auto t = templates.json().as_object();
    REQUIRE_FALSE(t.at("data").as_array().empty());
    slug_ = std::string(t.at("data").as_array()[0].at("slug").as_string());
    // The sign-ups queued their verification mail, so there are jobs to point at.
    auto jobs = api_.get("/api/v1/admin/jobs?limit=1", with_bearer(admin_.access));
    REQUIRE(jobs.status == 200);
    json::value job_page = jobs.json();
    const auto& job_list = job_page.at("data").as_array();
    REQUIRE_FALSE(job_list.empty());
    job_id_ = std::string(job_list[0].at("id").as_string());
    for (const auto& r : routes_) {
      if (r.method != "GET" || r.path.find('{') != std::string::npos) continue;
      const auto* params = r.operation.as_object().if_contains("parameters");
      if (params == nullptr) continue;
      bool paged = std::any_of(params->as_array().begin(), params->as_array().end(),
                               [](const json::value& p) { return p.at("name") == "cursor"; });
      if (!paged) continue;
      auto page = api_.get(r.path + "?limit=1", with_bearer(admin_.access));
      if (page.status != 200) continue;
      json::value list = page.json();
      const auto& next = list.at("next_cursor");
      if (next.is_string()) cursors_[r.path] = std::string(next.as_string());
    }
  }

  api_server& api_;
  std::uint64_t seed_;
  json::value document_;
  std::vector<route_spec> routes_;
  std::mutex mutex_;
  identity user_, admin_, spare_;
  std::string victim_id_, job_id_, slug_;
  std::map<std::string, std::string> cursors_;
  std::set<std::string> secrets_;
  std::atomic<int> serial_{0};
  std::atomic<int> resets_{0};
  std::atomic<int> verifications_{0};
  std::atomic<int> renewals_{0};
};

// ---- judging one exchange -----------------------------------------------------------------

struct finding {
  std::string category;  // 5xx, not_problem, amplified, slow, hang, extra_response, garbled
  std::string route;
  std::string what;  // what happened
  std::string mutations;
  std::string bytes;       // the exact request
  std::string request_id;  // of the first answer, to find the server's log lines
  std::size_t count = 1;
};

std::string describe(const std::vector<mutation>& applied) {
  std::string out;
  for (const auto& m : applied) out += (out.empty() ? "" : " + ") + m.kind + " (" + m.detail + ")";
  return out;
}

// The problems with one exchange: empty when keel-api answered as it must.
std::vector<std::pair<std::string, std::string>> judge(const raw_outcome& o,
                                                       const mutated_request& m,
                                                       const std::string& route,
                                                       const sweep_settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  if (o.timed_out) {
    out.emplace_back("hang", "no answer and no close within " + std::to_string(o.elapsed.count()) +
                                 " ms (" + std::to_string(o.responses.size()) + " responses)");
  } else if (o.first_answer > s.slow || o.elapsed > s.slow) {
    out.emplace_back("slow", "answered after " + std::to_string(o.first_answer.count()) +
                                 " ms, closed after " + std::to_string(o.elapsed.count()) + " ms");
  }
  if (m.answer_expected && o.responses.empty() && !o.timed_out) {
    out.emplace_back("no_answer", "closed after " + std::to_string(o.elapsed.count()) +
                                      " ms without answering a complete request");
  }
  if (!o.garbled.empty()) {
    out.emplace_back("garbled", "unreadable response bytes: " + escape_bytes(o.garbled, 300));
  }
  const std::size_t sent = m.pipelined_id.empty() ? 1 : 2;
  if (m.single_response && o.responses.size() > sent) {
    std::string statuses;
    for (const auto& r : o.responses) statuses += " " + std::to_string(r.status);
    out.emplace_back("extra_response",
                     std::to_string(o.responses.size()) + " responses to one request:" + statuses);
  }
  if (!m.pipelined_id.empty() && !o.responses.empty()) {
    bool closing = false;
    for (const auto& r : o.responses) closing = closing || r.header("connection") == "close";
    const http_response& last = o.responses.back();
    if (!closing && last.header("x-request-id") != m.pipelined_id) {
      out.emplace_back("pipeline_lost",
                       "the connection stayed open but the /health request behind it got no "
                       "answer; last answer " +
                           std::to_string(last.status) + " " + last.header("x-request-id"));
    }
  }
  for (std::size_t i = 0; i < o.responses.size(); ++i) {
    const http_response& r = o.responses[i];
    // Every answer carries its request id and the security headers (DESIGN.md step 4).
    if (!r.has_header("x-request-id") || r.header("x-content-type-options") != "nosniff") {
      out.emplace_back("missing_headers", std::to_string(r.status) + " without X-Request-Id " +
                                              "or X-Content-Type-Options");
    }
    if (r.status == 405 && !r.has_header("allow")) {
      out.emplace_back("missing_headers", "405 without Allow");
    }
    bool head = m.head && i == 0;
    std::string code;
    json::object problem;
    bool is_problem = false;
    if (!head) {
      json::error_code ec;
      json::value body = json::parse(r.body, ec);
      if (!ec && body.is_object()) {
        problem = body.as_object();
        if (problem.contains("code") && problem.at("code").is_string()) {
          code = std::string(problem.at("code").as_string());
        }
        is_problem = problem.contains("status") && problem.at("status").is_int64() &&
                     problem.at("status").as_int64() == r.status && !code.empty() &&
                     problem.contains("title") && problem.contains("type") &&
                     problem.contains("request_id") && problem.at("request_id").is_string() &&
                     problem.at("request_id").as_string() == r.header("x-request-id");
      }
    }
    std::string summary = std::to_string(r.status) + (code.empty() ? "" : " " + code) + " " +
                          escape_bytes(r.body, 300);
    // The 5xx a client can cause on purpose: 503 busy (password hashing queue full), 501 for a
    // transfer coding keel does not implement (RFC 9112 section 6.1), and 503 from the upload
    // routes of this server, which runs without S3_BUCKET (storage off by configuration).
    // A HEAD answer has no body to read the code from: its 501 is expected when the request
    // carried a mutated Transfer-Encoding, its 503 when it says when to retry (busy) or comes
    // from an upload route.
    bool expected_5xx = (r.status == 503 && code == "busy") ||
                        (r.status == 501 && code == "unsupported_transfer_coding") ||
                        (r.status == 503 && code == "storage_not_configured");
    if (head && !expected_5xx) {
      bool coding_mutated = std::any_of(m.applied.begin(), m.applied.end(), [](const auto& each) {
        return each.kind == "header.transfer_encoding";
      });
      expected_5xx = (r.status == 501 && coding_mutated) ||
                     (r.status == 503 && r.has_header("retry-after")) ||
                     (r.status == 503 && route.find("/uploads") != std::string::npos);
    }
    if (r.status >= 500 && !expected_5xx) {
      out.emplace_back("5xx", summary);
    }
    if (r.status >= 400) {
      bool typed = r.header("content-type").rfind("application/problem+json", 0) == 0;
      if (!typed || (!head && !is_problem)) {
        out.emplace_back("not_problem",
                         summary + " (Content-Type: " + r.header("content-type") + ")");
      }
      // A refusal is a few hundred bytes (50 field errors at most): a large one means the
      // request made the server write far more than it read.
      if (r.body.size() > 64 * 1024) {
        out.emplace_back("amplified", std::to_string(r.body.size()) + " bytes of problem for a " +
                                          std::to_string(m.bytes.size()) +
                                          "-byte request: " + summary.substr(0, 200));
      }
      if ((r.status == 429 || (r.status == 503 && code == "busy")) &&
          !r.has_header("retry-after")) {
        out.emplace_back("no_retry_after", summary);
      }
    }
  }
  return out;
}

// ---- the process ----------------------------------------------------------------------------

// Polls /health until stopped, each time on a new connection, so that the probes land on
// every event loop (the kernel spreads connections) and a stalled loop shows.
class health_probe {
 public:
  explicit health_probe(int port) : port_(port), thread_([this] { run(); }) {}
  ~health_probe() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::vector<double> latencies_ms() {
    std::lock_guard lock(mutex_);
    return latencies_;
  }
  int failures() const { return failures_; }
  std::string first_failure() {
    std::lock_guard lock(mutex_);
    return first_failure_;
  }

 private:
  void run() {
    while (!stop_) {
      auto started = steady::now();
      std::string failed;
      try {
        http_client client(port_, 5s);
        auto r = client.get("/health");
        if (r.status != 200) failed = "status " + std::to_string(r.status);
      } catch (const std::exception& e) {
        failed = e.what();
      }
      double ms = std::chrono::duration<double, std::milli>(steady::now() - started).count();
      {
        std::lock_guard lock(mutex_);
        latencies_.push_back(ms);
        if (!failed.empty()) fail(failed);
      }
      std::this_thread::sleep_for(25ms);
    }
  }

  void fail(const std::string& why) {
    if (failures_++ == 0) first_failure_ = why;
  }

  int port_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<double> latencies_;
  std::atomic<int> failures_{0};
  std::string first_failure_;
  std::thread thread_;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[at];
}

// ---- the record of a run ------------------------------------------------------------------

class sweep_record {
 public:
  void add(const std::string& route, const mutated_request& m, const raw_outcome& o,
           const std::vector<std::pair<std::string, std::string>>& problems) {
    std::lock_guard lock(mutex_);
    ++requests_;
    std::string status = o.responses.empty() ? (o.timed_out ? "timeout" : "closed")
                                             : std::to_string(o.responses.front().status);
    for (const auto& each : m.applied) by_kind_[each.kind][status]++;
    by_route_[route][status]++;
    slowest_ms_ = std::max<long>(slowest_ms_, static_cast<long>(o.elapsed.count()));
    for (const auto& [category, what] : problems) {
      std::string key = finding_key(category, route, m, what);
      auto [it, added] = findings_.try_emplace(key);
      if (added) {
        std::string id;
        if (!o.responses.empty()) id = o.responses.front().header("x-request-id");
        it->second = finding{category, route, what, describe(m.applied), m.bytes, id, 1};
        order_.push_back(key);
      } else {
        ++it->second.count;
      }
    }
  }

  // One finding per distinct cause: an answer's fault depends on the route and what was
  // changed; a framing fault on the framing alone, whatever the route.
  static std::string finding_key(const std::string& category, const std::string& route,
                                 const mutated_request& m, const std::string& what) {
    std::set<std::string> kinds;
    for (const auto& each : m.applied) kinds.insert(each.kind);
    std::string key = category + "|";
    if (category == "5xx" || category == "not_problem") {
      key += route + "|" + what.substr(0, 3) + "|";
      for (const auto& k : kinds) key += k + "+";
      return key;
    }
    for (const auto& each : m.applied) {
      if (each.kind == "header.transfer_encoding" || each.kind == "header.content_length") {
        return key + each.kind + "|" + each.detail.substr(0, each.detail.find('"', 1) + 1);
      }
    }
    for (const auto& k : kinds) key += k + "+";
    return key;
  }

  std::size_t requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<finding> findings() {
    std::lock_guard lock(mutex_);
    std::vector<finding> out;
    for (const auto& key : order_) out.push_back(findings_.at(key));
    return out;
  }
  long slowest_ms() const { return slowest_ms_; }

  std::string tables() {
    std::lock_guard lock(mutex_);
    std::ostringstream out;
    auto table = [&](const char* title, const auto& rows) {
      out << title << "\n";
      for (const auto& [name, statuses] : rows) {
        out << "  " << name << ":";
        for (const auto& [status, n] : statuses) out << " " << status << "x" << n;
        out << "\n";
      }
    };
    table("first status by route:", by_route_);
    table("first status by mutation (each kind of a combined one counted):", by_kind_);
    return out.str();
  }

 private:
  std::mutex mutex_;
  std::size_t requests_ = 0;
  long slowest_ms_ = 0;
  std::map<std::string, std::map<std::string, int>> by_kind_, by_route_;
  std::map<std::string, finding> findings_;
  std::vector<std::string> order_;
};

}  // namespace

TEST_CASE("hostile sweep: mutated requests of every route get fast typed answers", "[sweep]") {
  sweep_settings s;
  std::printf(
      "hostile sweep: seed %llu (KEEL_SWEEP_SEED=%llu repeats it), %lld s, %zu requests "
      "at most, %d clients\n",
      static_cast<unsigned long long>(s.seed), static_cast<unsigned long long>(s.seed),
      static_cast<long long>(s.duration.count()), s.max_requests, s.clients);
  std::fflush(stdout);
  api_server api(env_vars{{"RATE_LIMITS", s.rate_limits},
                          {"CORS_ORIGINS", allowed_origin},
                          {"HTTP_HEADER_TIMEOUT", "5s"},
                          {"HTTP_BODY_TIMEOUT", "5s"}});
  sweep_world world(api, s.seed);
  const int pid = api.proc().pid();

  // The unmutated request of every route first: the sweep starts from valid requests, and
  // they are held to the same rules.
  sweep_record record;
  std::ostringstream baseline;
  {
    std::mt19937_64 rng(s.seed);
    for (const auto& r : world.routes()) {
      world.keep_signed_in();  // the previous route may have ended a session or deleted a job
      mutation_inputs inputs;
      mutated_request valid;
      valid.bytes = world.base(r, rng, inputs).bytes();
      valid.applied.push_back({"baseline", "the valid request, before the sweep"});
      auto o = raw_exchange(api.port(), valid.bytes, 10s);
      record.add(route_name(r), valid, o, judge(o, valid, route_name(r), s));
      baseline << "  " << route_name(r) << ": "
               << (o.responses.empty() ? "no answer" : std::to_string(o.responses[0].status))
               << "\n";
    }
    world.keep_signed_in();
  }
  const std::size_t rss_before = status_kib(pid, "VmRSS");

  health_probe probe(api.port());
  std::atomic<bool> done{false};
  std::atomic<std::size_t> sent{0};
  const auto deadline = steady::now() + s.duration;
  std::thread keeper([&] {
    while (!done) {
      try {
        world.keep_signed_in();
      } catch (...) {
        // A failed sign-in shows up as 401s in the sweep; the keeper tries again.
      }
      // Often: logouts and ended sessions kill the spare account's token every few requests.
      for (int i = 0; i < 3 && !done; ++i) std::this_thread::sleep_for(100ms);
    }
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < s.clients; ++c) {
    clients.emplace_back([&, c] {
      hostile_mutator mutator(s.seed * 1000003 + static_cast<std::uint64_t>(c));
      std::vector<std::size_t> order(world.routes().size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::size_t next = order.size();
      while (steady::now() < deadline && sent.fetch_add(1) < s.max_requests) {
        if (next == order.size()) {
          std::shuffle(order.begin(), order.end(), mutator.rng());
          next = 0;
        }
        const route_spec& r = world.routes()[order[next++]];
        mutation_inputs inputs;
        wire_request base = world.base(r, mutator.rng(), inputs);
        mutated_request m;
        try {
          m = mutator.mutate(base, inputs);
        } catch (const std::exception& e) {
          // A fault of the sweep itself fails the test too, with the request it started from.
          m.bytes = base.bytes();
          record.add(route_name(r), m, raw_outcome{}, {{"sweep_bug", e.what()}});
          continue;
        }
        raw_outcome o;
        try {
          o = raw_exchange(api.port(), m.bytes, s.slow * 5, m.head);
        } catch (const std::exception& e) {
          o.garbled = std::string("client error: ") + e.what();
        }
        record.add(route_name(r), m, o, judge(o, m, route_name(r), s));
      }
    });
  }
  for (auto& t : clients) t.join();
  done = true;
  keeper.join();
  std::this_thread::sleep_for(500ms);  // let the probe see the server after the last request
  probe.stop();

  // After the run: alive, small, healthy, and its log fit to read.
  const bool alive = api.proc().running();
  const std::size_t rss_after = status_kib(pid, "VmRSS");
  const std::size_t rss_peak = status_kib(pid, "VmHWM");
  auto health_after = alive ? api.get("/health") : http_response{};
  auto latencies = probe.latencies_ms();
  double p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);
  double worst = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());

  std::string log = api.proc().output();
  std::vector<std::string> bad_lines;
  std::size_t log_lines = 0;
  {
    std::istringstream lines(log);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      ++log_lines;
      json::error_code ec;
      json::value v = json::parse(line, ec);
      if (ec || !v.is_object()) bad_lines.push_back(line);
    }
  }
  std::vector<std::string> leaked;
  for (const auto& secret : world.secrets()) {
    if (!secret.empty() && log.find(secret) != std::string::npos) leaked.push_back(secret);
  }

  // The report: what was sent, what came back, and every distinct finding with its request.
  auto findings = record.findings();
  std::stable_sort(findings.begin(), findings.end(), [](const finding& a, const finding& b) {
    return (a.category == "5xx") > (b.category == "5xx");
  });
  std::ostringstream report;
  report << "hostile sweep: seed " << s.seed << ", " << record.requests() << " requests, "
         << s.clients << " clients, " << world.renewals() << " sign-ins renewed\n"
         << "baseline (the unmutated request of each route):\n"
         << baseline.str() << record.tables() << "slowest exchange: " << record.slowest_ms()
         << " ms\n"
         << "/health during the run: " << latencies.size() << " probes, p50 " << p50 << " ms, p99 "
         << p99 << " ms, max " << worst << " ms, " << probe.failures() << " failed"
         << (probe.failures() ? " (first: " + probe.first_failure() + ")" : "") << "\n"
         << "keel-api RSS: " << rss_before / 1024 << " MiB before, " << rss_after / 1024
         << " MiB after, peak " << rss_peak / 1024 << " MiB; alive: " << (alive ? "yes" : "NO")
         << "\n"
         << "log: " << log_lines << " lines, " << bad_lines.size() << " not JSON, " << leaked.size()
         << " secrets found in it\n";
  for (std::size_t i = 0; i < bad_lines.size() && i < 5; ++i) {
    report << "  not JSON: " << escape_bytes(bad_lines[i], 400) << "\n";
  }
  std::string out_dir = s.out_dir.empty() ? "/tmp/keel-sweep-" + std::to_string(s.seed) : s.out_dir;
  if (!findings.empty()) std::filesystem::create_directories(out_dir);
  report << findings.size() << " distinct findings"
         << (findings.empty() ? "" : " (requests in " + out_dir + ")") << ":\n";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const finding& f = findings[i];
    std::string file = out_dir + "/finding-" + std::to_string(i + 1) + ".http";
    std::ofstream(file, std::ios::binary) << f.bytes;
    report << "#" << i + 1 << " [" << f.category << "] " << f.route << " (x" << f.count << ")\n"
           << "  mutations: " << escape_bytes(f.mutations, 600) << "\n"
           << "  happened:  " << f.what << "\n";
    if (!f.request_id.empty()) {
      // What keel-api itself logged about the request, beyond its access-log line.
      std::istringstream lines(log);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find(f.request_id) != std::string::npos &&
            line.find("\"msg\":\"request\"") == std::string::npos) {
          report << "  logged:    " << escape_bytes(line, 600) << "\n";
        }
      }
    }
    report << "  request:   \"" << escape_bytes(f.bytes, 1500) << "\"\n";
  }
  std::printf("%s", report.str().c_str());
  std::fflush(stdout);
  if (!s.out_dir.empty() || !findings.empty()) {
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/report.txt") << report.str();
  }

  CHECK(alive);
  CHECK(health_after.status == 200);
  CHECK(record.requests() > 0);
  CHECK(findings.size() == 0u);
  CHECK(probe.failures() == 0);
  CHECK(p99 < static_cast<double>(s.health_p99.count()));
  CHECK(worst < static_cast<double>(s.health_max.count()));
  CHECK(rss_after / 1024 < s.rss_limit_mb);
  CHECK(bad_lines.size() == 0u);
  CHECK(leaked.size() == 0u);
}
