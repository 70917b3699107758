// REDIS_URL, checked to be a URL the client can use (without echoing it).
#include "core/redis/settings.hpp"

#include "core/redis/url.hpp"

namespace keel::redis {

const runtime::declaration<settings>& settings::declared() {
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"REDIS_URL", &settings::url, "", false, true,
               "Redis URL (redis://host:6379/0); unset: in-process fallbacks for one instance"},
          },
      .check =
          [](settings& s, const runtime::settings&, runtime::problem_list& problems) {
            if (s.configured() && !parse_url(s.url)) {
              problems.push_back(  // the URL itself is secret: it may hold a password
                  "REDIS_URL must be redis://[[user]:password@]host[:port][/db] (rediss:// is "
                  "not supported)");
            }
          },
  };
  return d;
}

options options_from(const settings& s) {
  options o;
  o.url = s.url;
  return o;
}

}  // namespace keel::redis
