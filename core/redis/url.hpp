// Reading a REDIS_URL: redis://[[user]:password@]host[:port][/db].
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace keel::redis {

struct endpoint {
  std::string host;  // a name or an address (IPv6 without brackets)
  int port = 6379;
  std::string username;  // empty: the default user
  std::string password;  // empty: no AUTH
  int database = 0;      // SELECT after connecting when not 0
};

// nullopt when `url` is not a redis:// URL keel can use (rediss:// needs TLS, which the
// hiredis of Debian 12 does not have). Callers never echo the URL: it may hold a password.
std::optional<endpoint> parse_url(std::string_view url);

}  // namespace keel::redis
