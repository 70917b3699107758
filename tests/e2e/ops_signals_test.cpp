// Operations signals end to end: traceparent through keel-api and into keel-worker's lines,
// GET /api/v1/admin/status, and the alert hook posting to a local webhook sink.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "auth_stack.hpp"
#include "expect_problem.hpp"

using namespace std::chrono_literals;
using keel::test::auth_stack;
using keel::test::bearer;
using keel::test::expect_problem;
using keel::test::process;
using keel::test::promote;
using keel::test::sql_client;
using keel::test::str;

namespace {

constexpr const char* client_trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* client_traceparent =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const std::regex traceparent_shape("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

// Polls `ready` for up to `limit`; whether it became true.
template <class F>
bool eventually(F ready, std::chrono::milliseconds limit = 15s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return ready();
}

// The log lines of `output` that contain every one of `parts`.
std::vector<std::string> lines_with(const std::string& output,
                                    std::initializer_list<std::string> parts) {
  std::vector<std::string> found;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) found.push_back(line);
  }
  return found;
}

// A webhook sink: python3's http.server appending each POST body as one line to a file.
struct webhook_sink {
  int port = keel::test::free_port();
  std::string file = "/tmp/keel-webhook-" + std::to_string(port) + ".jsonl";
  std::unique_ptr<process> server;

  webhook_sink() {
    std::remove(file.c_str());
    std::string script =
        "import http.server,sys\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "  def do_POST(self):\n"
        "    body=self.rfile.read(int(self.headers['Content-Length']))\n"
        "    with open(sys.argv[2],'ab') as f: f.write(body+b'\\n')\n"
        "    self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
        "http.server.HTTPServer(('127.0.0.1',int(sys.argv[1])),H).serve_forever()\n";
    server = std::make_unique<process>(
        "/usr/bin/python3", std::vector<std::string>{"-c", script, std::to_string(port), file},
        std::map<std::string, std::string>{});
    REQUIRE(keel::test::wait_for_port(port, 10s));
  }
  ~webhook_sink() { std::remove(file.c_str()); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/hook"; }
  std::vector<boost::json::value> posts() const {
    std::vector<boost::json::value> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(boost::json::parse(line));
    }
    return out;
  }
};

// Discarded jobs, finished `ago` ago, written straight into the table.
void add_discarded_jobs(sql_client& sql, int count, const std::string& ago = "1 minute") {
  sql.scalar(
      "INSERT INTO jobs (kind, state, finished_at) SELECT 'test.failed', 'discarded', "
      "now() - interval '" +
      ago + "' FROM generate_series(1, " + std::to_string(count) + ") RETURNING 1");
}

}  // namespace

TEST_CASE("a valid traceparent is continued, echoed with keel's span and logged", "[ops]") {
  keel::test::api_server api;
  auto r = api.get("/health", {{"traceparent", client_traceparent}});
  REQUIRE(r.status == 200);
  std::smatch m;
  std::string echoed = r.header("traceparent");
  REQUIRE(std::regex_match(echoed, m, traceparent_shape));
  CHECK(m[1] == client_trace_id);
  CHECK(m[2] != "00f067aa0ba902b7");  // keel's own span, the client's as its parent
  CHECK(m[3] == "01");
  std::string span_id = m[2];
  // The request's access log line carries the trace and keel's span.
  CHECK(eventually([&] {
    return !lines_with(api.proc().output(),
                       {"\"msg\":\"request\"", std::string("\"trace_id\":\"") + client_trace_id,
                        "\"span_id\":\"" + span_id})
                .empty();
  }));
}

TEST_CASE("an invalid traceparent is ignored and a new trace begins", "[ops]") {
  keel::test::api_server api;
  for (std::string bad : {"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "junk"}) {
    INFO(bad);
    auto r = api.get("/health", {{"traceparent", bad}});
    REQUIRE(r.status == 200);
    std::smatch m;
    std::string echoed = r.header("traceparent");
    REQUIRE(std::regex_match(echoed, m, traceparent_shape));
    CHECK(m[1] != client_trace_id);
    CHECK(m[1] != "00000000000000000000000000000000");
  }
  // Without one, each request starts a trace of its own.
  auto a = api.get("/health").header("traceparent");
  auto b = api.get("/health").header("traceparent");
  CHECK(a.substr(3, 32) != b.substr(3, 32));
  // A problem answer carries it too.
  auto missing = api.get("/api/v1/nothing-here", {{"traceparent", client_traceparent}});
  CHECK(missing.status == 404);
  CHECK(missing.header("traceparent").substr(3, 32) == client_trace_id);
}

TEST_CASE("a job enqueued by a request logs the request's trace_id in keel-worker", "[ops]") {
  auth_stack s({}, {{"LOG_LEVEL", "debug"}});
  auto email = keel::test::unique_address();
  auto r =
      s.post("/api/v1/auth/otp/request", {{"email", email}}, {{"traceparent", client_traceparent}});
  REQUIRE(r.status == 202);
  sql_client sql(s.api.database_url());
  CHECK(sql.scalar("SELECT substr(traceparent, 4, 32) FROM jobs WHERE kind = 'email.send'") ==
        client_trace_id);
  keel::test::wait_for_mail(email, 1);
  CHECK(eventually([&] {
    return !lines_with(s.worker->output(), {"\"msg\":\"job completed\"", "\"kind\":\"email.send\"",
                                            std::string("\"trace_id\":\"") + client_trace_id})
                .empty();
  }));
  INFO(s.worker->output());
  // The worker's span is its own, under the request's.
  auto lines = lines_with(s.worker->output(), {"\"msg\":\"job completed\"", client_trace_id});
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0].find("\"span_id\":\"00f067aa0ba902b7\"") == std::string::npos);
}

TEST_CASE("the admin status is for admins, and degraded once discarded jobs pass the threshold",
          "[ops]") {
  auth_stack s({{"JOBS_ALERT_DISCARDED", "2"}});
  auto admin_email = keel::test::unique_address();
  std::string admin = str(s.register_user(admin_email).at("access_token"));
  std::string user = str(s.register_user(keel::test::unique_address()).at("access_token"));
  REQUIRE(promote(s.api.database_url(), admin_email) == 0);

  expect_problem(s.api.get("/api/v1/admin/status"), 401, "unauthorized");
  expect_problem(s.api.get("/api/v1/admin/status", bearer(user)), 403, "admin_required");

  auto r = s.api.get("/api/v1/admin/status", bearer(admin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = r.json().as_object();
  CHECK(body.at("version").is_string());
  CHECK(body.at("commit").is_string());
  CHECK(body.at("uptime_seconds").as_int64() >= 0);
  auto pool = body.at("pool").as_object();
  for (auto field : {"size", "open", "idle", "waiting", "timeouts"}) CHECK(pool.contains(field));
  CHECK(pool.at("size").as_int64() > 0);
  auto jobs = body.at("jobs").as_object();
  for (auto state :
       {"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled"}) {
    CHECK(jobs.contains(state));
  }
  CHECK(body.at("discarded_threshold").as_int64() == 2);
  CHECK(body.at("discarded_last_hour").as_int64() == 0);
  CHECK(body.at("degraded").as_bool() == false);

  sql_client sql(s.api.database_url());
  add_discarded_jobs(sql, 2);
  add_discarded_jobs(sql, 5, "2 hours");  // older than the hour: not counted
  auto at_threshold = s.api.get("/api/v1/admin/status", bearer(admin)).json().as_object();
  CHECK(at_threshold.at("discarded_last_hour").as_int64() == 2);
  CHECK(at_threshold.at("jobs").at("discarded").as_int64() == 7);
  CHECK(at_threshold.at("degraded").as_bool() == false);
  add_discarded_jobs(sql, 1);
  auto over = s.api.get("/api/v1/admin/status", bearer(admin)).json().as_object();
  CHECK(over.at("discarded_last_hour").as_int64() == 3);
  CHECK(over.at("degraded").as_bool() == true);
  // /health stays the cheap liveness answer, whatever the status says.
  CHECK(s.api.get("/health").status == 200);
}

TEST_CASE("keel-worker posts each alert to the webhook once per ALERT_INTERVAL", "[ops]") {
  webhook_sink sink;
  auth_stack s({{"OPS_SAMPLE_INTERVAL", "200ms"}}, {{"ALERT_WEBHOOK_URL", sink.url()},
                                                    {"ALERT_INTERVAL", "1h"},
                                                    {"ALERT_CHECK_INTERVAL", "200ms"},
                                                    {"JOBS_ALERT_DISCARDED", "1"},
                                                    {"ALERT_5XX_RATE", "10"}});
  sql_client sql(s.api.database_url());
  // keel-api records what it served.
  for (int i = 0; i < 3; ++i) REQUIRE(s.api.get("/health").status == 200);
  CHECK(eventually([&] {
    return std::stoll(sql.scalar("SELECT COALESCE(sum(requests), 0) FROM ops_samples")) >= 3;
  }));
  CHECK(sink.posts().empty());  // nothing passed a threshold yet

  add_discarded_jobs(sql, 2);
  REQUIRE(eventually([&] { return sink.posts().size() == 1; }));
  std::string text = str(sink.posts()[0].at("text"));
  CHECK(text.find("2 jobs discarded") != std::string::npos);

  // 5xx answers reported by an instance: a second alert of its own.
  sql.scalar(
      "INSERT INTO ops_samples (instance, requests, errors_5xx, pool_timeouts) "
      "VALUES ('other:1', 100, 30, 0) RETURNING 1");
  REQUIRE(eventually([&] { return sink.posts().size() == 2; }));
  CHECK(str(sink.posts()[1].at("text")).find("30 of") != std::string::npos);

  // Still over both thresholds, checked every 200ms: nothing more within ALERT_INTERVAL.
  std::this_thread::sleep_for(2s);
  CHECK(sink.posts().size() == 2);
  // The webhook URL is a credential: no line names it.
  CHECK(s.worker->output().find(sink.url()) == std::string::npos);
}
