// A real keel-api process on a free loopback port, with a fresh database of its own.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "http_client.hpp"
#include "process.hpp"

namespace keel::test {

using env_vars = std::map<std::string, std::string>;

// The JWT_SIGNING_KEYS every keel-api started by api_server gets unless the test sets its own:
// a fixed, public key, so that a test can sign or verify tokens with auth::keyset::parse.
inline constexpr const char* test_signing_keys = "test:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8";

class api_server {
 public:
  // Starts keel-api on a fresh database cloned from the migrated template and waits until
  // it accepts connections. `env` adds or overrides variables (e.g. HTTP_HEADER_TIMEOUT);
  // JWT_SIGNING_KEYS is test_signing_keys unless `env` sets it. An `env` that sets
  // DATABASE_URL shares that database (a second instance of one deployment).
  explicit api_server(std::map<std::string, std::string> env = {});

  int port() const { return port_; }
  const std::string& database_url() const { return database_url_; }
  process& proc() { return *process_; }

  http_response get(std::string_view target, const header_list& headers = {}) {
    return http_request(port_, "GET", target, headers);
  }
  http_response request(std::string_view method, std::string_view target,
                        const header_list& headers = {}, std::string_view body = {}) {
    return http_request(port_, method, target, headers, body);
  }

 private:
  std::string database_url_;
  int port_ = 0;
  std::unique_ptr<process> process_;
};

}  // namespace keel::test
