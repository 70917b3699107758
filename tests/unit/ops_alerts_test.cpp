// Which signals call for an alert: discarded jobs, the 5xx rate and pool timeouts.
#include <catch2/catch.hpp>

#include "core/ops/signals.hpp"

using keel::ops::alert_settings;
using keel::ops::alerts_for;
using keel::ops::sample;
using keel::ops::settings;

namespace {

std::vector<std::string> names(const std::vector<keel::ops::alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.name);
  return out;
}

}  // namespace

TEST_CASE("an alert is due only once its signal passes its threshold") {
  settings s;
  s.jobs_alert_discarded = 10;
  alert_settings a;
  a.error_rate_percent = 5;
  a.pool_timeouts = 3;
  CHECK(alerts_for(10, {.requests = 100, .errors_5xx = 5, .pool_timeouts = 3}, s, a).empty());
  CHECK(names(alerts_for(11, {}, s, a)) == std::vector<std::string>{"jobs_discarded"});
  CHECK(names(alerts_for(0, {.requests = 100, .errors_5xx = 6}, s, a)) ==
        std::vector<std::string>{"http_5xx"});
  CHECK(names(alerts_for(0, {.pool_timeouts = 4}, s, a)) ==
        std::vector<std::string>{"db_pool_timeouts"});
  CHECK(alerts_for(11, {.requests = 100, .errors_5xx = 50, .pool_timeouts = 9}, s, a).size() == 3);
}

TEST_CASE("a 5xx rate over too few answers is no alert") {
  settings s;
  alert_settings a;
  a.error_rate_percent = 5;
  sample few{.requests = keel::ops::min_requests_for_rate - 1,
             .errors_5xx = keel::ops::min_requests_for_rate - 1};
  CHECK(alerts_for(0, few, s, a).empty());
}

TEST_CASE("an alert's text names the numbers and the setting") {
  settings s;
  s.jobs_alert_discarded = 1;
  alert_settings a;
  auto due = alerts_for(4, {}, s, a);
  REQUIRE(due.size() == 1);
  CHECK(due[0].text.find("4 jobs discarded") != std::string::npos);
  CHECK(due[0].text.find("JOBS_ALERT_DISCARDED is 1") != std::string::npos);
}
