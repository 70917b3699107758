// Samples and alerts: one loop each, on a timer of the program's event loop.
#include "core/ops/signals.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ops/service.hpp"
#include "core/ops/store.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/log.hpp"

namespace keel::ops {
namespace {

namespace net = boost::asio;

// A timer that runs `tick` every `interval` until stopped. Shared with the coroutine, so a
// stop() while a tick awaits the database leaves nothing dangling.
struct periodic {
  periodic(net::io_context& io, std::chrono::milliseconds every) : timer(io), interval(every) {}
  net::steady_timer timer;
  std::chrono::milliseconds interval;
  bool stopped = false;

  // A failed tick is logged and the next one runs as usual: signals must not stop a program.
  static async<void> run(std::shared_ptr<periodic> self, std::string_view what,
                         std::function<async<void>()> tick) {
    while (!self->stopped) {
      self->timer.expires_after(self->interval);
      boost::system::error_code ec;
      co_await self->timer.async_wait(net::redirect_error(net::use_awaitable, ec));
      if (self->stopped) break;
      try {
        co_await tick();
      } catch (const std::exception& e) {
        log::warn("operations signal failed", {{"signal", what}, {"error", e.what()}});
      }
    }
  }

  void stop() {
    stopped = true;
    timer.cancel();
  }
};

std::string instance_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", *host ? host : "keel", ::getpid());
}

}  // namespace

// ---- sampler ------------------------------------------------------------------------------

struct sampler::impl : periodic {
  impl(net::io_context& io, db::pool& d, std::chrono::milliseconds every,
       std::function<sample()> read)
      : periodic(io, every), db(d), totals(std::move(read)), instance(instance_name()) {}
  db::pool& db;
  std::function<sample()> totals;
  std::string instance;
  sample last;  // the totals of the previous sample
};

sampler::sampler(net::io_context& io, db::pool& db, std::chrono::milliseconds interval,
                 std::function<sample()> totals)
    : impl_(std::make_shared<impl>(io, db, interval, std::move(totals))) {}

sampler::~sampler() {
  stop();
}

void sampler::start() {
  auto self = impl_;
  net::co_spawn(self->timer.get_executor(),
                periodic::run(self, "sample",
                              [self]() -> async<void> {
                                sample now = self->totals();
                                sample grown{
                                    .requests = now.requests - self->last.requests,
                                    .errors_5xx = now.errors_5xx - self->last.errors_5xx,
                                    .pool_timeouts = now.pool_timeouts - self->last.pool_timeouts};
                                co_await store::add_sample(self->db, self->instance, grown);
                                self->last = now;  // only once written: a failed sample is not lost
                              }),
                net::detached);
}

void sampler::stop() {
  impl_->stop();
}

// ---- alerts -------------------------------------------------------------------------------

std::vector<alert> alerts_for(std::int64_t discarded, const sample& window, const settings& s,
                              const alert_settings& a) {
  std::vector<alert> out;
  if (discarded > s.jobs_alert_discarded) {
    out.push_back({"jobs_discarded",
                   fmt::format("keel: {} jobs discarded in the last hour (JOBS_ALERT_DISCARDED "
                               "is {}). See GET /api/v1/admin/jobs?state=discarded.",
                               discarded, s.jobs_alert_discarded)});
  }
  if (window.requests >= min_requests_for_rate &&
      window.errors_5xx * 100 > std::int64_t{a.error_rate_percent} * window.requests) {
    out.push_back({"http_5xx", fmt::format("keel: {} of {} answers were 5xx in the last {} "
                                           "minutes (ALERT_5XX_RATE is {}%).",
                                           window.errors_5xx, window.requests,
                                           signal_window.count(), a.error_rate_percent)});
  }
  if (window.pool_timeouts > a.pool_timeouts) {
    out.push_back({"db_pool_timeouts",
                   fmt::format("keel: {} database pool waits gave up in the last {} minutes "
                               "(ALERT_POOL_TIMEOUTS is {}).",
                               window.pool_timeouts, signal_window.count(), a.pool_timeouts)});
  }
  return out;
}

struct alerter::impl : periodic {
  impl(net::io_context& io, db::pool& d, runtime::blocking_pool& b, const settings& s,
       const alert_settings& a)
      : periodic(io, a.check_interval), db(d), blocking(b), status_settings(s), alerts(a) {}
  db::pool& db;
  runtime::blocking_pool& blocking;
  const settings& status_settings;
  const alert_settings& alerts;

  async<void> check() {
    auto discarded = co_await store::discarded_within(db, discarded_window);
    auto window = co_await store::samples_within(db, signal_window);
    for (const auto& a : alerts_for(discarded, window, status_settings, alerts)) {
      // Marked first, so that of several workers only one posts; given back if the post fails.
      if (!co_await store::mark_alert(db, a.name, alerts.interval)) continue;
      bool posted = false;
      try {
        std::function<void()> post = [&] { post_webhook(alerts.webhook_url, a.text); };
        co_await blocking.run(post);
        posted = true;
      } catch (const std::exception& e) {
        // The URL is a credential: the error names the alert, never where it was sent.
        log::warn("alert not posted; trying again at the next check",
                  {{"alert", a.name}, {"error", e.what()}});
      }
      if (!posted) {
        co_await store::unmark_alert(db, a.name);
        continue;
      }
      log::warn("alert posted", {{"alert", a.name}, {"text", a.text}});
    }
  }
};

alerter::alerter(net::io_context& io, db::pool& db, runtime::blocking_pool& blocking,
                 const settings& s, const alert_settings& a)
    : impl_(std::make_shared<impl>(io, db, blocking, s, a)) {}

alerter::~alerter() {
  stop();
}

void alerter::start() {
  auto self = impl_;
  net::co_spawn(self->timer.get_executor(),
                periodic::run(self, "alert", [self]() -> async<void> { co_await self->check(); }),
                net::detached);
}

void alerter::stop() {
  impl_->stop();
}

}  // namespace keel::ops
