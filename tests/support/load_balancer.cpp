// Writing HAProxy's configuration and starting it in the foreground.
#include "load_balancer.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "http_client.hpp"

namespace keel::test {

load_balancer::load_balancer(const std::vector<int>& backend_ports, health_check check)
    : port_(free_port()) {
  config_path_ =
      "/tmp/keel-haproxy-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".cfg";
  std::ofstream cfg(config_path_);
  cfg << "global\n"
         "  maxconn 4000\n"  // within the sandbox's file limit (each connection takes two)
         "defaults\n"
         "  mode http\n"
         "  timeout connect 2s\n"
         "  timeout client 60s\n"
         "  timeout server 60s\n"
         "  timeout tunnel 1h\n"  // an upgraded WebSocket
         "frontend web\n"
         "  bind 127.0.0.1:"
      << port_
      << "\n"
         "  default_backend api\n"
         "backend api\n"
         "  balance roundrobin\n"
         "  option httpchk GET "
      << check.path << "\n";
  for (std::size_t i = 0; i < backend_ports.size(); ++i) {
    cfg << "  server api" << i << " 127.0.0.1:" << backend_ports[i] << " check inter "
        << check.interval_ms << "ms fall " << check.fall << " rise 1\n";
  }
  cfg.close();
  process_ = std::make_unique<process>("/usr/sbin/haproxy",
                                       std::vector<std::string>{"-db", "-f", config_path_},
                                       std::map<std::string, std::string>{});
  if (!wait_for_port(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("haproxy did not start:\n" + process_->output());
  }
  // Serving once every backend passed its first health check.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (http_request(port_, "GET", "/health").status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

load_balancer::~load_balancer() {
  process_.reset();
  std::filesystem::remove(config_path_);
}

}  // namespace keel::test
