// Starting and stopping redis-server for tests.
#include "tests/support/redis_server.hpp"

#include <signal.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "core/runtime/error.hpp"
#include "tests/support/async.hpp"

namespace keel::test {

std::string redis_url() {
  const char* v = std::getenv("KEEL_TEST_REDIS_URL");
  return v && *v ? v : "redis://127.0.0.1:56379/0";
}

redis::options redis_options(std::string url) {
  redis::options o;
  o.url = std::move(url);
  o.connect_timeout = std::chrono::seconds(1);
  o.command_timeout = std::chrono::seconds(1);
  return o;
}

redis::reply run_command(runtime::event_loops& loops, redis::client& c,
                         std::vector<std::string> args) {
  return run_async(loops, [&]() -> async<redis::reply> { co_return co_await c.command(args); });
}

std::string redis_failure_of(runtime::event_loops& loops, redis::client& c,
                             std::vector<std::string> args) {
  return run_async(loops, [&]() -> async<std::string> {
    try {
      co_await c.command(args);
    } catch (const unavailable& e) {
      co_return "unavailable:" + e.code();
    } catch (const redis::error& e) {
      co_return "redis:" + std::string(e.code());
    } catch (const std::exception&) {
      co_return "other";
    }
    co_return "";
  });
}

bool redis_ping(runtime::event_loops& loops, redis::client& c, std::chrono::milliseconds timeout) {
  return run_async(loops, [&]() -> async<bool> { co_return co_await c.ping(timeout); });
}

std::string redis_prefix() {
  unsigned char bytes[6];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("keel_test:") + hex + ":";
}

redis_server::redis_server(std::vector<std::string> extra_args)
    : port_(free_port()), extra_args_(std::move(extra_args)) {
  start();
}

redis_server::redis_server(const test_ca& ca, std::vector<std::string> extra_args)
    : port_(free_port()), extra_args_(std::move(extra_args)), tls_(true) {
  extra_args_.insert(extra_args_.end(),
                     {"--tls-cert-file", ca.cert_file(), "--tls-key-file", ca.key_file(),
                      "--tls-ca-cert-file", ca.ca_file(), "--tls-auth-clients", "no"});
  start();
}

redis_server::~redis_server() {
  stop();
}

std::string redis_server::url(int database, const std::string& authority) const {
  return (tls_ ? "rediss://" : "redis://") + authority + ":" + std::to_string(port_) + "/" +
         std::to_string(database);
}

void redis_server::start() {
  if (process_ && process_->running()) return;
  std::vector<std::string> args{"--save", "",          "--appendonly", "no",
                                "--bind", "127.0.0.1", "--daemonize",  "no"};
  if (tls_) {
    args.insert(args.end(), {"--port", "0", "--tls-port", std::to_string(port_)});
  } else {
    args.insert(args.end(), {"--port", std::to_string(port_)});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<process>("/usr/bin/redis-server", args,
                                       std::map<std::string, std::string>{});
  if (!wait_for_port(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("redis-server did not start: " + process_->output());
  }
}

void redis_server::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(5));
  process_.reset();
}

}  // namespace keel::test
