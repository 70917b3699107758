// Starting keel-api for a test.
#include "api_server.hpp"

#include <stdexcept>

#include "database.hpp"

namespace keel::test {

api_server::api_server(std::map<std::string, std::string> env) {
  // A second instance of one deployment names the first one's database.
  auto shared = env.find("DATABASE_URL");
  database_url_ = shared != env.end() ? shared->second : fresh_database();
  // A restarted instance names its predecessor's port.
  auto port = env.find("PORT");
  port_ = port != env.end() ? std::stoi(port->second) : free_port();
  std::map<std::string, std::string> full = {
      {"DATABASE_URL", database_url_}, {"HOST", "127.0.0.1"},
      {"PORT", std::to_string(port_)}, {"HTTP_THREADS", "2"},
      {"DB_POOL_SIZE", "4"},           {"LOG_LEVEL", "info"},
      {"SHUTDOWN_GRACE", "5s"},        {"JWT_SIGNING_KEYS", test_signing_keys},
  };
  for (auto& [k, v] : env) full[k] = v;
  process_ = std::make_unique<process>(binary("keel-api"), std::vector<std::string>{}, full);
  if (!wait_for_port(port_, std::chrono::seconds(15))) {
    throw std::runtime_error("keel-api did not start:\n" + process_->output());
  }
}

}  // namespace keel::test
