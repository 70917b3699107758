// The worker runtime: a fetch loop per queue, one coroutine per running job, and the loops
// that keep leases alive, rescue dead workers' jobs, record completions and hear NOTIFYs.
#include "core/jobs/runner.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

#include "core/db/listener.hpp"
#include "core/jobs/metrics.hpp"
#include "core/jobs/registry.hpp"
#include "core/jobs/store.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace asio = boost::asio;

// Errors are stored per attempt; a handler's giant exception text must not bloat the row.
constexpr std::size_t max_error_length = 2000;

milliseconds until(steady::time_point t) {
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(t - steady::now()));
}

async<void> sleep_for(asio::io_context& io, milliseconds d) {
  asio::steady_timer timer(io, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Wakes one waiting coroutine. A notify() that comes while nobody waits is kept, so the next
// wait() returns at once: with one thread, no wake-up can be lost between check and wait.
class wakeup {
 public:
  explicit wakeup(asio::io_context& io) : timer_(io) {}
  void notify() {
    pending_ = true;
    timer_.cancel();
  }
  // True when notified, false when `timeout` passed first.
  async<bool> wait(milliseconds timeout) {
    if (std::exchange(pending_, false)) co_return true;
    timer_.expires_after(timeout);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return std::exchange(pending_, false);
  }

 private:
  asio::steady_timer timer_;
  bool pending_ = false;
};

struct attempt_result {
  bool ok = false;
  bool permanent = false;
  std::string error;
};

}  // namespace

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

std::string default_worker_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(*host ? host : "worker") + ":" + std::to_string(getpid());
}

struct runner::impl {
  struct queue_state {
    queue_state(queue_config c, asio::io_context& io) : cfg(std::move(c)), wake(io) {}
    queue_config cfg;
    wakeup wake;
    int running = 0;
    bool due = true;          // look for work at the next chance (NOTIFY, poll, start)
    bool maybe_more = false;  // the last claim filled every free slot: more may be waiting
    std::optional<steady::time_point> next_retry;  // a job of ours failed and is due then
  };

  struct running_job {
    running_job(asio::io_context& io, store::claimed_job j) : job(std::move(j)), stop_timer(io) {}
    store::claimed_job job;
    job_context ctx;
    asio::steady_timer stop_timer;  // the kind's timeout; cancelled to stop the job early
  };

  impl(runtime::event_loops& loops, db::pool& db, const registry& kinds, runner_options o,
       job_metrics* metrics)
      : loops_(loops),
        io_(loops.loop(0)),
        db_(db),
        kinds_(kinds),
        o_(std::move(o)),
        metrics_(metrics),
        stopped_(io_),
        idle_(io_),
        completer_(io_),
        heartbeat_(io_),
        rescuer_(io_),
        background_done_(io_) {
    if (o_.worker_id.empty()) o_.worker_id = default_worker_id();
    for (const auto& q : o_.queues) {
      queues_.push_back(std::make_unique<queue_state>(q, io_));
    }
  }

  // ---- lifetime ----

  async<void> run() {
    std::string queue_list;
    for (const auto& q : queues_) {
      queue_list +=
          (queue_list.empty() ? "" : ",") + q->cfg.name + ":" + std::to_string(q->cfg.concurrency);
    }
    std::string kind_list;
    for (const auto& k : kinds_.names()) kind_list += (kind_list.empty() ? "" : ",") + k;
    log::info("worker ready: waiting for jobs", {{"worker", o_.worker_id},
                                                 {"queues", queue_list},
                                                 {"kinds", kind_list},
                                                 {"listen", o_.listen}});
    for (auto& q : queues_) spawn_background(fetch_loop(*q));
    if (o_.listen) spawn_background(listen_loop());
    spawn_background(heartbeat_loop());
    spawn_background(rescue_loop());
    spawn_background(complete_loop());

    while (!stopping_) co_await stopped_.wait(std::chrono::hours(1));
    co_await drain();
    finishing_ = true;
    completer_.notify();
    heartbeat_.notify();
    rescuer_.notify();
    while (background_ > 0) co_await background_done_.wait(std::chrono::seconds(1));
    log::info("worker stopped", {{"worker", o_.worker_id}});
  }

  void stop() {
    if (stopping_) return;
    stopping_ = true;
    if (listener_) listener_->close();
    for (auto& q : queues_) q->wake.notify();
    stopped_.notify();
  }

  // Running jobs get the grace period; then they are stopped and put back.
  async<void> drain() {
    auto deadline = steady::now() + o_.shutdown_grace;
    if (!running_.empty()) {
      log::info("stopping: waiting for running jobs",
                {{"running", running_.size()}, {"grace_ms", o_.shutdown_grace.count()}});
    }
    while (!running_.empty() && steady::now() < deadline) co_await idle_.wait(until(deadline));
    if (running_.empty()) co_return;
    log::warn("shutdown grace is over: stopping running jobs and putting them back",
              {{"running", running_.size()}});
    for (auto& [id, rj] : running_) request_stop(*rj, stop_reason::shutting_down);
    // A handler waiting on Asio is woken at once; one that computes gets a moment to check.
    auto cut = steady::now() + std::chrono::seconds(2);
    while (!running_.empty() && steady::now() < cut) co_await idle_.wait(until(cut));
    if (running_.empty()) co_return;
    // Handlers that ignore cancellation: put their jobs back anyway; the exit ends them.
    std::vector<uuid> ids;
    for (const auto& [id, rj] : running_) ids.push_back(id);
    abandoned_ = static_cast<int>(ids.size());
    try {
      co_await store::release(db_, ids, o_.worker_id);
    } catch (const std::exception& e) {
      log::error(
          "could not put back jobs whose handlers ignored cancellation; they are "
          "rescued when their lease expires",
          {{"jobs", ids.size()}, {"error", e.what()}});
    }
    log::error("job handlers ignored cancellation at shutdown", {{"jobs", ids.size()}});
  }

  void spawn_background(async<void> task) {
    ++background_;
    asio::co_spawn(io_, std::move(task), [this](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("worker loop failed", {{"error", ex.what()}});
        }
      }
      --background_;
      background_done_.notify();
    });
  }

  // ---- claiming ----

  async<void> fetch_loop(queue_state& q) {
    while (!stopping_) {
      int free = q.cfg.concurrency - q.running;
      if (free > 0 && (q.due || q.maybe_more)) {
        q.due = false;
        std::vector<store::claimed_job> claimed;
        bool ok = false;
        try {
          claimed = co_await store::claim(db_, q.cfg.name, free, o_.lease, o_.worker_id);
          ok = true;
        } catch (const std::exception& e) {
          database_trouble("claim", e.what());
        }
        if (!ok) {
          q.due = true;
          co_await sleep_for(io_, std::max(o_.poll_interval, milliseconds(500)));
          continue;
        }
        database_fine();
        q.maybe_more = static_cast<int>(claimed.size()) == free;
        for (auto& job : claimed) start(q, std::move(job));
        continue;
      }
      auto timeout = o_.poll_interval;
      if (q.next_retry) timeout = std::min(timeout, until(*q.next_retry));
      // Not notified: the poll interval passed, so look (the fallback for lost NOTIFYs,
      // scheduled jobs coming due and PgBouncer mode).
      if (!co_await q.wake.wait(timeout)) q.due = true;
      if (q.next_retry && steady::now() >= *q.next_retry) {
        q.next_retry.reset();
        q.due = true;
      }
    }
  }

  void start(queue_state& q, store::claimed_job job) {
    uuid id = job.id;
    auto owned = std::make_unique<running_job>(io_, std::move(job));
    running_job& rj = *owned;
    rj.ctx.id = id;
    rj.ctx.kind = rj.job.kind;
    rj.ctx.queue = rj.job.queue;
    rj.ctx.attempt = rj.job.attempt;
    rj.ctx.max_attempts = rj.job.max_attempts;
    rj.ctx.request_id = rj.job.request_id;
    running_.emplace(id, std::move(owned));
    ++q.running;
    asio::co_spawn(io_, execute(q, rj), [this, &q, id](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("job runner failed", {{"job_id", id.str()}, {"error", ex.what()}});
        }
      }
      finish(q, id);
    });
  }

  void finish(queue_state& q, const uuid& id) {
    running_.erase(id);
    --q.running;
    idle_.notify();
    if (q.maybe_more) q.wake.notify();
  }

  // ---- running one job ----

  async<void> execute(queue_state& q, running_job& rj) {
    const kind* k = kinds_.find(rj.job.kind);
    if (k == nullptr) {
      std::string names;
      for (const auto& n : kinds_.names()) names += (names.empty() ? "" : ", ") + n;
      co_await record_failure(q, rj, nullptr,
                              "unknown job kind \"" + rj.job.kind +
                                  "\": no handler is registered for it (registered: " + names + ")",
                              true, 0);
      co_return;
    }
    using namespace asio::experimental::awaitable_operators;
    if (metrics_) metrics_->started(k->name);
    auto started = steady::now();
    rj.stop_timer.expires_after(k->options.timeout);
    auto first = co_await (call_handler(*k, rj) || wait_for_stop(rj));
    double seconds = std::chrono::duration<double>(steady::now() - started).count();
    attempt_result result;
    if (first.index() == 0) result = std::get<0>(std::move(first));
    if (result.ok) {
      // Completions are written in batches: one UPDATE for all the jobs that just finished.
      to_complete_.push_back(rj.job.id);
      completer_.notify();
      if (metrics_) metrics_->completed(k->name, seconds);
      log::debug("job completed", {{"job_id", rj.job.id.str()},
                                   {"kind", k->name},
                                   {"attempt", rj.job.attempt},
                                   {"seconds", seconds}});
      co_return;
    }
    switch (rj.ctx.reason_) {
      case stop_reason::cancelled:
        log::info("job cancelled while running", {{"job_id", rj.job.id.str()}, {"kind", k->name}});
        co_return;
      case stop_reason::shutting_down:
        co_await put_back(rj);
        co_return;
      case stop_reason::timed_out:
        result.error = "timed out after " + std::to_string(k->options.timeout.count()) + "ms";
        result.permanent = false;
        break;
      case stop_reason::none:
        break;
    }
    co_await record_failure(q, rj, k, result.error, result.permanent, seconds);
  }

  async<attempt_result> call_handler(const kind& k, running_job& rj) {
    attempt_result r;
    try {
      co_await k.run(rj.job.payload, rj.ctx);
      r.ok = true;
    } catch (const permanent_failure& e) {
      r.permanent = true;
      r.error = e.what();
    } catch (const std::exception& e) {
      r.error = e.what();
    } catch (...) {
      r.error = "the handler threw something that is not a std::exception";
    }
    co_return r;
  }

  // Ends when the job must stop: its timeout passed or request_stop() was called.
  async<void> wait_for_stop(running_job& rj) {
    if (rj.ctx.reason_ != stop_reason::none) co_return;
    auto [ec] = co_await rj.stop_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec && rj.ctx.reason_ == stop_reason::none) rj.ctx.reason_ = stop_reason::timed_out;
  }

  void request_stop(running_job& rj, stop_reason why) {
    if (rj.ctx.reason_ != stop_reason::none) return;
    rj.ctx.reason_ = why;
    rj.stop_timer.cancel();
  }

  async<void> record_failure(queue_state& q, running_job& rj, const kind* k,
                             const std::string& full_error, bool discard, double seconds) {
    std::string error = full_error.substr(0, max_error_length);
    auto retry_in = k ? retry_delay(k->options, rj.job.attempt) : milliseconds(0);
    std::optional<store::failed_job> failed;
    for (int attempt = 1;; ++attempt) {
      bool written = false;
      try {
        failed = co_await store::fail(db_, rj.job.id, o_.worker_id, error, retry_in, discard);
        written = true;
      } catch (const std::exception& e) {
        log::warn("could not record a failed job attempt",
                  {{"job_id", rj.job.id.str()}, {"try", attempt}, {"error", e.what()}});
      }
      if (written || attempt == 3) break;
      co_await sleep_for(io_, milliseconds(500) * attempt);
    }
    if (metrics_) metrics_->failed(rj.job.kind, seconds);
    if (!failed) {
      // Cancelled or rescued meanwhile, or the database is away: the lease settles it.
      log::warn("job failed but is no longer held by this worker",
                {{"job_id", rj.job.id.str()}, {"kind", rj.job.kind}, {"error", error}});
      co_return;
    }
    if (failed->state == "discarded") {
      if (metrics_) metrics_->discarded(rj.job.kind);
      log::error("job discarded", {{"job_id", rj.job.id.str()},
                                   {"kind", rj.job.kind},
                                   {"attempt", rj.job.attempt},
                                   {"request_id", rj.job.request_id.value_or("")},
                                   {"errors", boost::json::serialize(failed->errors)}});
      co_return;
    }
    log::warn("job failed; it will be retried", {{"job_id", rj.job.id.str()},
                                                 {"kind", rj.job.kind},
                                                 {"attempt", rj.job.attempt},
                                                 {"retry_in_ms", retry_in.count()},
                                                 {"request_id", rj.job.request_id.value_or("")},
                                                 {"error", error}});
    // Look again when it is due rather than waiting for the next poll.
    auto due = steady::now() + retry_in;
    if (!q.next_retry || due < *q.next_retry) q.next_retry = due;
    q.wake.notify();
  }

  async<void> put_back(running_job& rj) {
    try {
      std::vector<uuid> ids{rj.job.id};
      co_await store::release(db_, ids, o_.worker_id);
      log::info("job put back for another worker",
                {{"job_id", rj.job.id.str()}, {"kind", rj.job.kind}});
    } catch (const std::exception& e) {
      log::warn("could not put a job back; it is rescued when its lease expires",
                {{"job_id", rj.job.id.str()}, {"error", e.what()}});
    }
  }

  // ---- background loops ----

  async<void> listen_loop() {
    listener_ = std::make_unique<db::listener>(loops_, 0, o_.listener_db);
    try {
      co_await listener_->listen(std::string(store::wake_channel));
      co_await listener_->listen(std::string(store::cancel_channel));
    } catch (const std::exception& e) {
      log::error("LISTEN failed; the worker polls instead", {{"error", e.what()}});
      co_return;
    }
    while (!stopping_) {
      auto n = co_await listener_->wait(std::chrono::seconds(30));
      if (!n || stopping_) continue;
      if (n->reconnected) {
        // NOTIFYs sent while the connection was down are lost: look everywhere.
        for (auto& q : queues_) {
          q->due = true;
          q->wake.notify();
        }
      } else if (n->channel == store::wake_channel) {
        for (auto& q : queues_) {
          if (q->cfg.name == n->payload) {
            q->due = true;
            q->wake.notify();
          }
        }
      } else if (n->channel == store::cancel_channel) {
        auto id = uuid::parse(n->payload);
        auto it = id ? running_.find(*id) : running_.end();
        if (it != running_.end()) request_stop(*it->second, stop_reason::cancelled);
      }
    }
  }

  async<void> heartbeat_loop() {
    auto every = std::max(o_.lease / 3, milliseconds(50));
    while (!finishing_) {
      co_await heartbeat_.wait(every);
      if (finishing_ || running_.empty()) continue;
      std::vector<uuid> ids;
      ids.reserve(running_.size());
      for (const auto& [id, rj] : running_) ids.push_back(id);
      std::vector<uuid> held;
      try {
        held = co_await store::heartbeat(db_, ids, o_.worker_id, o_.lease);
        database_fine();
      } catch (const std::exception& e) {
        database_trouble("heartbeat", e.what());
        continue;
      }
      std::set<uuid> still(held.begin(), held.end());
      for (const auto& id : ids) {
        auto it = running_.find(id);
        if (still.contains(id) || it == running_.end()) continue;
        // Cancelled (PgBouncer mode has no NOTIFY) or rescued after a long database outage.
        log::warn("job no longer held by this worker; stopping it",
                  {{"job_id", id.str()}, {"kind", it->second->job.kind}});
        request_stop(*it->second, stop_reason::cancelled);
      }
    }
  }

  async<void> rescue_loop() {
    constexpr int batch = 500;
    auto every = std::clamp(o_.lease / 2, milliseconds(100), milliseconds(60000));
    while (!finishing_) {
      std::vector<store::rescued_job> rescued;
      try {
        do {
          rescued = co_await store::rescue(db_, batch);
          for (const auto& r : rescued) log_rescued(r);
        } while (static_cast<int>(rescued.size()) == batch && !finishing_);
      } catch (const std::exception& e) {
        log::debug("rescue failed", {{"error", e.what()}});
      }
      co_await rescuer_.wait(every);
    }
  }

  void log_rescued(const store::rescued_job& r) {
    if (r.state == "discarded") {
      if (metrics_) metrics_->discarded(r.kind);
      log::error("job discarded: its worker died on the last attempt",
                 {{"job_id", r.id.str()},
                  {"kind", r.kind},
                  {"attempt", r.attempt},
                  {"errors", boost::json::serialize(r.errors)}});
    } else {
      log::warn("job rescued from a worker that stopped heartbeating",
                {{"job_id", r.id.str()}, {"kind", r.kind}, {"attempt", r.attempt}});
    }
  }

  async<void> complete_loop() {
    int failures = 0;
    while (true) {
      if (to_complete_.empty()) {
        if (finishing_) break;
        co_await completer_.wait(std::chrono::seconds(1));
        continue;
      }
      auto batch = std::exchange(to_complete_, {});
      bool ok = false;
      try {
        co_await store::complete(db_, batch, o_.worker_id);
        ok = true;
        failures = 0;
      } catch (const std::exception& e) {
        database_trouble("complete", e.what());
      }
      if (ok) continue;
      if (finishing_ && ++failures > 10) {
        log::error("could not record completed jobs; they run again after their lease",
                   {{"jobs", batch.size()}});
        break;
      }
      to_complete_.insert(to_complete_.begin(), batch.begin(), batch.end());
      co_await sleep_for(io_, milliseconds(500));
    }
  }

  void database_trouble(std::string_view what, std::string_view error) {
    if (!database_down_) {
      database_down_ = true;
      log::warn("database unreachable; retrying", {{"step", what}, {"error", error}});
    }
  }
  void database_fine() {
    if (database_down_) {
      database_down_ = false;
      log::info("database reachable again");
    }
  }

  runtime::event_loops& loops_;
  asio::io_context& io_;
  db::pool& db_;
  const registry& kinds_;
  runner_options o_;
  job_metrics* metrics_;
  std::vector<std::unique_ptr<queue_state>> queues_;
  std::map<uuid, std::unique_ptr<running_job>> running_;
  std::vector<uuid> to_complete_;
  std::unique_ptr<db::listener> listener_;
  wakeup stopped_, idle_, completer_, heartbeat_, rescuer_, background_done_;
  bool stopping_ = false;   // no more claims
  bool finishing_ = false;  // the background loops end
  bool database_down_ = false;
  int background_ = 0;
  int abandoned_ = 0;
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

int runner::abandoned() const {
  return impl_->abandoned_;
}

int runner::running() const {
  return static_cast<int>(impl_->running_.size());
}

}  // namespace keel::jobs
