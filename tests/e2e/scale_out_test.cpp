// Several instances, as a deployment that outgrew one machine runs them: HAProxy in front of two
// keel-api processes, PgBouncer (transaction pooling) in front of PostgreSQL, one Redis, two
// keel-workers. Accounts, sessions, revocation and rate limits hold across the instances, each
// job runs once, and a rolling restart of either tier fails nothing.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "../support/api_server.hpp"
#include "../support/load_balancer.hpp"
#include "../support/pgbouncer.hpp"
#include "../support/redis_server.hpp"
#include "auth_stack.hpp"
#include "worker_stack.hpp"

using namespace keel::test;

namespace {

// keel-api's settings behind PgBouncer and HAProxy. SHUTDOWN_DELAY outlasts HAProxy's checks
// (2 failed /ready checks 200 ms apart) so an instance is out before it stops accepting.
env_vars behind_pgbouncer(const pgbouncer& bouncer, const std::string& database_url,
                          const redis_server& redis, env_vars extra = {}) {
  env_vars env{{"DATABASE_URL", bouncer.url_for(database_url)},
               {"DB_PGBOUNCER", "true"},
               {"REDIS_URL", redis.url()},
               {"SHUTDOWN_DELAY", "1s"},
               {"LOG_LEVEL", "warn"}};
  for (auto& [name, value] : extra) env[name] = value;
  return env;
}

const health_check ready_check{.path = "/ready", .interval_ms = 200, .fall = 2};

http_response post_json(int port, std::string_view target, const boost::json::object& body,
                        header_list headers = {}) {
  headers.insert(headers.end(), json_headers.begin(), json_headers.end());
  return http_request(port, "POST", target, headers, json_body(body));
}

std::string register_through(int port, const std::string& email) {
  auto r = post_json(port, "/api/v1/auth/register",
                     {{"email", email}, {"password", "correct horse battery"}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  return std::string(r.json().at("access_token").as_string());
}

bool ready(int port) {
  try {
    return http_request(port, "GET", "/ready").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

// SIGTERM to one keel-api, then a new process on the same port, back in once HAProxy's next
// check sees it ready.
void restart(std::unique_ptr<api_server>& instance, env_vars env) {
  int port = instance->port();
  instance->proc().signal(SIGTERM);
  REQUIRE(instance->proc().wait(std::chrono::seconds(15)) == 0);
  env["PORT"] = std::to_string(port);
  instance = std::make_unique<api_server>(env);
  REQUIRE(wait_until([port] { return ready(port); }, 10s));
  std::this_thread::sleep_for(3 * std::chrono::milliseconds(ready_check.interval_ms));
}

// Clients that keep sending through the load balancer until told to stop, each on its own
// keep-alive connection, counting what did not come back 200.
class steady_load {
 public:
  steady_load(int port, std::vector<std::pair<std::string, header_list>> requests, int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, port, requests, i] {
        std::unique_ptr<http_client> client;
        for (std::size_t n = i; !stop_; ++n) {
          const auto& [target, headers] = requests[n % requests.size()];
          try {
            if (!client) client = std::make_unique<http_client>(port);
            int status = client->get(target, headers).status;
            ++sent_;
            if (status != 200) record("HTTP " + std::to_string(status) + " for " + target);
          } catch (const std::exception& e) {
            ++sent_;
            record(std::string("connection error: ") + e.what());
            client.reset();
          }
        }
      });
    }
  }
  ~steady_load() { finish(); }

  void finish() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  long sent() const { return sent_; }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  void record(std::string what) {
    std::lock_guard lock(mutex_);
    failures_.push_back(std::move(what));
  }

  std::atomic<bool> stop_{false};
  std::atomic<long> sent_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE(
    "behind HAProxy and PgBouncer, two instances share accounts, sessions, revocation and rate "
    "limits",
    "[scale]") {
  redis_server redis;
  pgbouncer bouncer;
  std::string database = fresh_database();
  auto env = behind_pgbouncer(bouncer, database, redis);
  api_server a(env), b(env);
  load_balancer haproxy({a.port(), b.port()}, ready_check);

  auto access = register_through(haproxy.port(), unique_address());
  CHECK(a.get("/api/v1/auth/me", bearer(access)).status == 200);
  CHECK(b.get("/api/v1/auth/me", bearer(access)).status == 200);
  // Signed out on one instance: refused on the other at once.
  REQUIRE(a.request("POST", "/api/v1/auth/logout", bearer(access)).status == 204);
  CHECK(b.get("/api/v1/auth/me", bearer(access)).status == 401);

  // Five one-time codes per address in 15 minutes, counted across both instances.
  auto email = unique_address();
  for (int i = 0; i < 5; ++i) {
    int port = i % 2 == 0 ? a.port() : b.port();
    REQUIRE(post_json(port, "/api/v1/auth/otp/request", {{"email", email}}).status == 202);
  }
  CHECK(post_json(b.port(), "/api/v1/auth/otp/request", {{"email", email}}).status == 429);
  CHECK(post_json(a.port(), "/api/v1/auth/otp/request", {{"email", email}}).status == 429);
}

TEST_CASE(
    "a rolling restart of both keel-api instances behind HAProxy fails no request under "
    "steady load",
    "[scale]") {
  redis_server redis;
  pgbouncer bouncer;
  std::string database = fresh_database();
  // Rate limits off: the load comes from one address, far above any per-address limit.
  auto env = behind_pgbouncer(bouncer, database, redis, {{"RATE_LIMITS", "false"}});
  auto a = std::make_unique<api_server>(env);
  auto b = std::make_unique<api_server>(env);
  load_balancer haproxy({a->port(), b->port()}, ready_check);
  auto access = register_through(haproxy.port(), unique_address());

  // A signed-in read (the session checked in PostgreSQL through PgBouncer) and a public one.
  steady_load load(haproxy.port(), {{"/api/v1/auth/me", bearer(access)}, {"/api/v1/templates", {}}},
                   4);
  std::this_thread::sleep_for(1s);
  long before = load.sent();
  restart(a, env);
  restart(b, env);
  std::this_thread::sleep_for(1s);
  load.finish();
  INFO("requests sent: " << load.sent());
  CHECK(before > 0);
  CHECK(load.sent() > before);
  auto failures = load.failures();
  for (std::size_t i = 0; i < failures.size() && i < 10; ++i) UNSCOPED_INFO(failures[i]);
  CHECK(failures.empty());
}

TEST_CASE("two keel-workers behind PgBouncer run each job once, through a rolling restart of both",
          "[scale]") {
  pgbouncer bouncer;
  constexpr int jobs = 600;
  // 100 ms each, four at a time per worker: the drain takes several seconds, long enough to
  // restart each worker in the middle of it.
  std::string direct = database_with_jobs(jobs, R"({"sleep_ms": 100})");
  std::string pooled = bouncer.url_for(direct);
  // One worker wakes on NOTIFY through a session of its own past PgBouncer, the other polls.
  std::map<std::string, std::string> listening{
      {"DB_PGBOUNCER", "true"}, {"DATABASE_DIRECT_URL", direct}, {"WORKER_QUEUES", "default:4"}};
  std::map<std::string, std::string> polling{{"DB_PGBOUNCER", "true"},
                                             {"WORKER_QUEUES", "default:4"}};
  auto first = start_worker(pooled, listening);
  auto second = start_worker(pooled, polling);

  auto restart_worker = [&](std::unique_ptr<process>& worker,
                            const std::map<std::string, std::string>& extra) {
    long long done_before = completed(direct);
    REQUIRE(done_before < jobs);  // still draining: the stop lands in the middle of the work
    worker->signal(SIGTERM);
    REQUIRE(worker->wait(std::chrono::seconds(30)) == 0);
    worker = start_worker(pooled, extra);
  };
  REQUIRE(wait_until([&] { return completed(direct) >= 50; }, 20s));
  restart_worker(first, listening);
  REQUIRE(wait_until([&] { return completed(direct) >= 250; }, 20s));
  restart_worker(second, polling);

  REQUIRE(wait_until([&] { return completed(direct) == jobs; }, 60s));
  check_all_done(direct, jobs);
  // Stopped gracefully, nothing ran twice: one recorded run per job.
  CHECK(count(direct, "SELECT count(*) FROM test_job_runs") == jobs);
  // Both workers did part of the work.
  CHECK(count(direct, "SELECT count(DISTINCT locked_by) FROM jobs") >= 2);
}
