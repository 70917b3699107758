// The test Redis servers: the shared one test.sh starts, and ones a test starts for itself.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/redis/client.hpp"
#include "core/runtime/event_loops.hpp"
#include "process.hpp"
#include "test_ca.hpp"

namespace keel::test {

// The shared test Redis (KEEL_TEST_REDIS_URL, started by deploy/local/test.sh).
std::string redis_url();

// Client options for `url` with 1 s connect and command timeouts, so a test fails fast.
redis::options redis_options(std::string url);

// Runs one command to completion on loop 0 and returns its reply.
redis::reply run_command(runtime::event_loops& loops, redis::client& c,
                         std::vector<std::string> args);

// What the command throws: "unavailable:<code>", "redis:<code>", "other", or "" when it
// succeeds.
std::string redis_failure_of(runtime::event_loops& loops, redis::client& c,
                             std::vector<std::string> args);

// Whether PING gets PONG within `timeout`.
bool redis_ping(runtime::event_loops& loops, redis::client& c,
                std::chrono::milliseconds timeout = std::chrono::seconds(1));

// A unique prefix for a test's keys on the shared server, so that tests never see each
// other's keys (and a rerun never sees the last run's).
std::string redis_prefix();

// A redis-server of the test's own on a free loopback port (no persistence), for tests that
// stop and restart it. Stopped by its PID when destroyed.
class redis_server {
 public:
  explicit redis_server(std::vector<std::string> extra_args = {});
  // TLS only (rediss://, no plain port), with the certificate `ca` signed for 127.0.0.1 and
  // localhost; clients are not asked for a certificate of their own.
  explicit redis_server(const test_ca& ca, std::vector<std::string> extra_args = {});
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  int port() const { return port_; }
  int pid() const { return process_ ? process_->pid() : -1; }
  // redis://<authority>:<port>/<database> (rediss:// for a TLS server); `authority` is
  // [[user]:password@]host.
  std::string url(int database = 0, const std::string& authority = "127.0.0.1") const;
  void stop();   // SIGTERM, then waits for the exit
  void start();  // again, on the same port, empty
 private:
  int port_ = 0;
  std::vector<std::string> extra_args_;
  bool tls_ = false;
  std::unique_ptr<process> process_;
};

}  // namespace keel::test
