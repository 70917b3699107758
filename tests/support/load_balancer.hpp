// HAProxy (Debian's haproxy) on a free loopback port in front of keel-api instances, as a
// deployment with several instances has it: round robin, health checks on /health, and
// WebSocket tunnels kept open. Stopped by its PID when destroyed.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace keel::test {

// How HAProxy checks its backends: a rolling restart checks /ready, which an instance fails
// from SIGTERM on, often enough that it is out before it stops accepting (SHUTDOWN_DELAY).
// HAProxy does not retry a refused connection here (no `retries`, no `redispatch`): what keeps
// requests from failing in a restart must be keel's own drain.
struct health_check {
  std::string path = "/health";
  int interval_ms = 500;
  int fall = 3;  // failed checks before a backend is out
};

class load_balancer {
 public:
  explicit load_balancer(const std::vector<int>& backend_ports, health_check check = {});
  ~load_balancer();
  load_balancer(const load_balancer&) = delete;
  load_balancer& operator=(const load_balancer&) = delete;

  int port() const { return port_; }

 private:
  int port_ = 0;
  std::string config_path_;
  std::unique_ptr<process> process_;
};

}  // namespace keel::test
