// Reading a REDIS_URL: redis:// or rediss:// (TLS) [[user]:password@]host[:port][/db].
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
  bool tls = false;      // rediss://: TLS, the server's certificate checked against its host
};

// nullopt when `url` is not a redis:// or rediss:// URL keel can use. Callers never echo the
// URL: it may hold a password.
std::optional<endpoint> parse_url(std::string_view url);

}  // namespace keel::redis
