// REDIS_URL and REDIS_CA_FILE, checked to be usable (without echoing the URL).
#include "core/redis/settings.hpp"

#include <unistd.h>

#include "core/redis/url.hpp"

namespace keel::redis {

const runtime::declaration<settings>& settings::declared() {
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"REDIS_URL", &settings::url, "", false, true,
               "Redis URL (redis://host:6379/0, rediss:// for TLS); unset: in-process "
               "fallbacks for one instance"},
              {"REDIS_CA_FILE", &settings::ca_file, "", false, false,
               "PEM file of the CAs a rediss:// server's certificate must chain to; unset: the "
               "system's CA store"},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            auto where = s.configured() ? parse_url(s.url) : std::nullopt;
            if (s.configured() && !where) {
              problems.push_back(  // the URL itself is secret: it may hold a password
                  "REDIS_URL must be redis:// or rediss:// (TLS) "
                  "[[user]:password@]host[:port][/db]");
            }
            if (s.ca_file.empty()) return;
            if (where && !where->tls) {
              // A CA file beside a plain URL means someone expects TLS they would not get.
              problems.push_back("REDIS_CA_FILE is set but REDIS_URL is not a rediss:// URL");
            }
            if (::access(s.ca_file.c_str(), R_OK) != 0) {
              problems.push_back("REDIS_CA_FILE names no readable file: " + s.ca_file);
            }
          },
  };
  return d;
}

options options_from(const settings& s) {
  options o;
  o.url = s.url;
  o.ca_file = s.ca_file;
  return o;
}

}  // namespace keel::redis
