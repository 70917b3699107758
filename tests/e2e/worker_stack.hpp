// keel-worker-test as a real process and the SQL that counts its work: test.record jobs, each
// successful run a row in test_job_runs, for the end-to-end tests of the job runner.
#pragma once
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "../support/database.hpp"
#include "../support/process.hpp"

namespace keel::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// One statement through blocking libpq (the test is not an event loop); the first field of
// the first row, or "" when there is none.
inline std::string sql(const std::string& url, const std::string& statement) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), statement.c_str()), &PQclear);
  auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(statement + ": " + PQerrorMessage(c.get()));
  }
  if (PQntuples(r.get()) == 0) return "";
  return PQgetvalue(r.get(), 0, 0);
}

inline long long count(const std::string& url, const std::string& statement) {
  return std::stoll(sql(url, statement));
}

inline void add_jobs(const std::string& url, int n, const std::string& payload) {
  sql(url, "INSERT INTO jobs (kind, payload) SELECT 'test.record', '" + payload +
               "' FROM generate_series(1, " + std::to_string(n) + ")");
}

// A database with the table test.record writes to and `n` jobs with `payload`.
inline std::string database_with_jobs(int n, const std::string& payload = "{}") {
  std::string url = fresh_database();
  sql(url, "CREATE TABLE test_job_runs (job_id uuid NOT NULL, attempt int, request_id text)");
  add_jobs(url, n, payload);
  return url;
}

inline std::unique_ptr<process> start_worker(const std::string& url,
                                             std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env{
      {"DATABASE_URL", url},  {"KEEL_WORKER_TEST_KINDS", "1"},   {"WORKER_QUEUES", "default:20"},
      {"WORKER_LEASE", "2s"}, {"WORKER_POLL_INTERVAL", "250ms"}, {"LOG_LEVEL", "warn"}};
  for (auto& [k, v] : extra) env[k] = v;
  return std::make_unique<process>(binary("keel-worker-test"), std::vector<std::string>{}, env);
}

inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = steady::now() + timeout;
  while (steady::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

inline long long completed(const std::string& url) {
  return count(url, "SELECT count(*) FROM jobs WHERE state = 'completed'");
}

// Every job completed, none left in another state, each with at least one recorded run.
inline void check_all_done(const std::string& url, int n) {
  CHECK(completed(url) == n);
  CHECK(count(url, "SELECT count(*) FROM jobs WHERE state <> 'completed'") == 0);
  CHECK(count(url, "SELECT count(DISTINCT job_id) FROM test_job_runs") == n);
}

}  // namespace keel::test
