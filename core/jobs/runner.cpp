// The worker runtime's lifetime: it starts the loops (claim per queue, heartbeat, rescue,
// completions, NOTIFY), and on stop drains running jobs within the grace period.
#include "core/jobs/runner.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <charconv>
#include <stdexcept>

#include "core/db/listener.hpp"
#include "core/jobs/detail/claimer.hpp"
#include "core/jobs/detail/completer.hpp"
#include "core/jobs/detail/execution.hpp"
#include "core/jobs/detail/leases.hpp"
#include "core/jobs/detail/state.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs {

std::vector<queue_config> parse_queues(const std::vector<std::string>& entries) {
  std::vector<queue_config> out;
  for (const auto& e : entries) {
    auto colon = e.rfind(':');
    int n = 0;
    if (colon == std::string::npos || colon == 0 ||
        std::from_chars(e.data() + colon + 1, e.data() + e.size(), n).ptr != e.data() + e.size() ||
        n < 1 || n > 1000) {
      throw std::invalid_argument("WORKER_QUEUES: \"" + e +
                                  "\" is not name:concurrency (concurrency 1 to 1000)");
    }
    std::string name = e.substr(0, colon);
    for (const auto& q : out) {
      if (q.name == name) throw std::invalid_argument("WORKER_QUEUES: " + name + " given twice");
    }
    out.push_back({std::move(name), n});
  }
  if (out.empty()) throw std::invalid_argument("WORKER_QUEUES: no queue to run");
  return out;
}

// How long a stop waits for the background loops once running jobs are done or put back.
constexpr std::chrono::milliseconds background_stop_limit{5000};

std::string default_worker_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(*host ? host : "worker") + ":" + std::to_string(getpid());
}

struct runner::impl {
  impl(runtime::event_loops& loops, db::pool& db, const registry& kinds, runner_options o,
       job_metrics* metrics)
      : s(loops, db, kinds, std::move(o), metrics) {}

  async<void> run() {
    std::string queue_list;
    for (const auto& q : s.queues) {
      queue_list += (queue_list.empty() ? "" : ",") + q->cfg.name + ":" +
                    std::to_string(q->cfg.concurrency) + "+" + std::to_string(q->claim_ahead);
    }
    std::string kind_list;
    for (const auto& k : s.kinds.names()) kind_list += (kind_list.empty() ? "" : ",") + k;
    log::info("worker ready: waiting for jobs", {{"worker", s.options.worker_id},
                                                 {"queues", queue_list},
                                                 {"kinds", kind_list},
                                                 {"listen", s.options.listen}});
    for (auto& q : s.queues) spawn_background(detail::claim_loop(s, *q));
    if (s.options.listen) spawn_background(listen_loop());
    spawn_background(detail::heartbeat_loop(s));
    spawn_background(detail::rescue_loop(s));
    spawn_background(detail::complete_loop(s));

    while (!s.stopping) co_await s.stopped.wait(std::chrono::hours(1));
    co_await detail::release_buffered(s);
    co_await drain();
    s.finishing = true;
    s.completer.notify();
    s.heartbeat.notify();
    s.rescuer.notify();
    // Each loop ends at its next step; one stuck in a database call would hold the exit until
    // the statement timeout, so the wait is bounded and the process ends regardless (jobs it
    // held come back through their leases).
    auto cut = detail::steady::now() + background_stop_limit;
    while (s.background > 0 && detail::steady::now() < cut) {
      co_await s.background_done.wait(detail::until(cut));
    }
    if (s.background > 0) {
      s.stuck_loops = s.background;
      log::error("stopping: worker loops did not finish in time; exiting without them",
                 {{"loops", s.background}, {"limit_ms", background_stop_limit.count()}});
    }
    log::info("worker stopped", {{"worker", s.options.worker_id}});
  }

  void stop() {
    if (s.stopping) return;
    s.stopping = true;
    if (listener_) listener_->close();
    for (auto& q : s.queues) q->wake.notify();
    s.stopped.notify();
  }

  // Running jobs get the grace period; then they are stopped and put back.
  async<void> drain() {
    using detail::steady;
    auto deadline = steady::now() + s.options.shutdown_grace;
    if (!s.running.empty()) {
      log::info("stopping: waiting for running jobs",
                {{"running", s.running.size()}, {"grace_ms", s.options.shutdown_grace.count()}});
    }
    while (!s.running.empty() && steady::now() < deadline) {
      co_await s.idle.wait(detail::until(deadline));
    }
    if (s.running.empty()) co_return;
    s.grace_over = true;
    log::warn("shutdown grace is over: stopping running jobs and putting them back",
              {{"running", s.running.size()}});
    for (auto& [id, rj] : s.running) detail::request_stop(*rj, stop_reason::shutting_down);
    // A handler waiting on Asio is woken at once; one that computes gets a moment to check.
    auto cut = steady::now() + std::chrono::seconds(2);
    while (!s.running.empty() && steady::now() < cut) co_await s.idle.wait(detail::until(cut));
    if (s.running.empty()) co_return;
    // Handlers that ignore cancellation: put their jobs back anyway; the exit ends them.
    std::vector<uuid> ids;
    for (const auto& [id, rj] : s.running) ids.push_back(id);
    s.abandoned = static_cast<int>(ids.size());
    try {
      co_await store::release(s.db, ids, s.options.worker_id);
    } catch (const std::exception& e) {
      log::error(
          "could not put back jobs whose handlers ignored cancellation; they are "
          "rescued when their lease expires",
          {{"jobs", ids.size()}, {"error", e.what()}});
    }
    log::error("job handlers ignored cancellation at shutdown", {{"jobs", ids.size()}});
  }

  void spawn_background(async<void> task) {
    ++s.background;
    boost::asio::co_spawn(s.io, std::move(task), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("worker loop failed", {{"error", ex.what()}});
        }
      }
      --s.background;
      s.background_done.notify();
    });
  }

  async<void> listen_loop() {
    listener_ = std::make_unique<db::listener>(s.loops, 0, s.options.listener_db);
    try {
      co_await listener_->listen(std::string(store::wake_channel));
      co_await listener_->listen(std::string(store::cancel_channel));
    } catch (const std::exception& e) {
      log::error("LISTEN failed; the worker polls instead", {{"error", e.what()}});
      co_return;
    }
    while (!s.stopping) {
      auto n = co_await listener_->wait(std::chrono::seconds(30));
      if (!n || s.stopping) continue;
      if (n->reconnected) {
        // NOTIFYs sent while the connection was down are lost: look everywhere.
        for (auto& q : s.queues) {
          q->due = true;
          q->wake.notify();
        }
      } else if (n->channel == store::wake_channel) {
        for (auto& q : s.queues) {
          if (q->cfg.name == n->payload) {
            q->due = true;
            q->wake.notify();
          }
        }
      } else if (n->channel == store::cancel_channel) {
        cancelled(n->payload);
      }
    }
  }

  // A job was cancelled: stop it if it runs here, forget it if it waits in the buffer.
  void cancelled(std::string_view payload) {
    auto id = uuid::parse(payload);
    if (!id) return;
    if (auto it = s.running.find(*id); it != s.running.end()) {
      detail::request_stop(*it->second, stop_reason::cancelled);
    } else if (detail::drop_buffered(s, *id)) {
      log::info("job cancelled before it started", {{"job_id", id->str()}});
    }
  }

  detail::runner_state s;
  std::unique_ptr<db::listener> listener_;
};

runner::runner(runtime::event_loops& loops, db::pool& db, const registry& kinds,
               runner_options options, job_metrics* metrics)
    : impl_(std::make_unique<impl>(loops, db, kinds, std::move(options), metrics)) {}

runner::~runner() = default;

async<void> runner::run() {
  return impl_->run();
}

void runner::stop() {
  impl_->stop();
}

int runner::stuck_loops() const {
  return impl_->s.stuck_loops;
}

int runner::abandoned() const {
  return impl_->s.abandoned;
}

int runner::running() const {
  return static_cast<int>(impl_->s.running.size());
}

int runner::buffered() const {
  return impl_->s.buffered();
}

}  // namespace keel::jobs
