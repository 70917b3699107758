// One coroutine per running job: the handler raced against its timeout and stop requests,
// then a completion for the completer, a failure record, or the job put back.
#include "core/jobs/detail/execution.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include "core/jobs/metrics.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs {

void detail::set_stop_reason(job_context& ctx, stop_reason why) {
  ctx.reason_ = why;
}

namespace detail {
namespace {

namespace asio = boost::asio;

// Errors are stored per attempt; a handler's giant exception text must not bloat the row.
constexpr std::size_t max_error_length = 2000;

struct attempt_result {
  bool ok = false;
  bool permanent = false;
  std::string error;
};

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
  if (rj.ctx.reason() != stop_reason::none) co_return;
  auto [ec] = co_await rj.stop_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!ec && rj.ctx.reason() == stop_reason::none) {
    set_stop_reason(rj.ctx, stop_reason::timed_out);
  }
}

async<void> record_failure(runner_state& s, queue_state& q, running_job& rj, const kind* k,
                           const std::string& full_error, bool discard, double seconds) {
  std::string error = full_error.substr(0, max_error_length);
  auto retry_in = k ? retry_delay(k->options, rj.job.attempt) : milliseconds(0);
  std::optional<store::failed_job> failed;
  for (int attempt = 1;; ++attempt) {
    bool written = false;
    try {
      failed = co_await store::fail(s.db, rj.job.id, s.options.worker_id, error, retry_in, discard);
      written = true;
    } catch (const std::exception& e) {
      log::warn("could not record a failed job attempt",
                {{"job_id", rj.job.id.str()}, {"try", attempt}, {"error", e.what()}});
    }
    if (written || attempt == 3) break;
    co_await sleep_for(s.io, milliseconds(500) * attempt);
  }
  if (s.metrics) s.metrics->failed(rj.job.kind, seconds);
  if (!failed) {
    // Cancelled or rescued meanwhile, or the database is away: the lease settles it.
    log::warn("job failed but is no longer held by this worker",
              {{"job_id", rj.job.id.str()}, {"kind", rj.job.kind}, {"error", error}});
    co_return;
  }
  if (failed->state == "discarded") {
    if (s.metrics) s.metrics->discarded(rj.job.kind);
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

async<void> put_back(runner_state& s, running_job& rj) {
  try {
    std::vector<uuid> ids{rj.job.id};
    co_await store::release(s.db, ids, s.options.worker_id);
    log::info("job put back for another worker",
              {{"job_id", rj.job.id.str()}, {"kind", rj.job.kind}});
  } catch (const std::exception& e) {
    log::warn("could not put a job back; it is rescued when its lease expires",
              {{"job_id", rj.job.id.str()}, {"error", e.what()}});
  }
}

async<void> execute(runner_state& s, queue_state& q, running_job& rj) {
  const kind* k = s.kinds.find(rj.job.kind);
  if (k == nullptr) {
    std::string names;
    for (const auto& n : s.kinds.names()) names += (names.empty() ? "" : ", ") + n;
    co_await record_failure(s, q, rj, nullptr,
                            "unknown job kind \"" + rj.job.kind +
                                "\": no handler is registered for it (registered: " + names + ")",
                            true, 0);
    co_return;
  }
  using namespace asio::experimental::awaitable_operators;
  if (s.metrics) s.metrics->started(k->name);
  auto started = steady::now();
  rj.stop_timer.expires_after(k->options.timeout);
  auto first = co_await (call_handler(*k, rj) || wait_for_stop(rj));
  double seconds = std::chrono::duration<double>(steady::now() - started).count();
  q.job_seconds = q.job_seconds < 0 ? seconds : 0.8 * q.job_seconds + 0.2 * seconds;
  attempt_result result;
  if (first.index() == 0) result = std::get<0>(std::move(first));
  if (result.ok) {
    // Recorded in batches by the completer: one UPDATE for all the jobs that just finished.
    s.to_complete.push_back(rj.job.id);
    s.completer.notify();
    if (s.metrics) s.metrics->completed(k->name, seconds);
    if (log::enabled(log::level::debug)) {  // the hot path: no fields built unless wanted
      log::debug("job completed", {{"job_id", rj.job.id.str()},
                                   {"kind", k->name},
                                   {"attempt", rj.job.attempt},
                                   {"seconds", seconds}});
    }
    co_return;
  }
  switch (rj.ctx.reason()) {
    case stop_reason::cancelled:
      log::info("job cancelled while running", {{"job_id", rj.job.id.str()}, {"kind", k->name}});
      co_return;
    case stop_reason::shutting_down:
      co_await put_back(s, rj);
      co_return;
    case stop_reason::timed_out:
      result.error = "timed out after " + std::to_string(k->options.timeout.count()) + "ms";
      result.permanent = false;
      break;
    case stop_reason::none:
      break;
  }
  co_await record_failure(s, q, rj, k, result.error, result.permanent, seconds);
}

void finish(runner_state& s, queue_state& q, const uuid& id) {
  s.running.erase(id);
  --q.running;
  s.idle.notify();
  start_ready(s, q);
  // The buffer has room again: the claim loop decides whether it is worth a claim.
  q.wake.notify();
}

void start(runner_state& s, queue_state& q, store::claimed_job& job) {
  uuid id = job.id;
  auto owned = std::make_unique<running_job>(s.io, std::move(job));
  running_job& rj = *owned;
  rj.ctx.id = id;
  rj.ctx.kind = rj.job.kind;
  rj.ctx.queue = rj.job.queue;
  rj.ctx.attempt = rj.job.attempt;
  rj.ctx.max_attempts = rj.job.max_attempts;
  rj.ctx.request_id = rj.job.request_id;
  s.running.emplace(id, std::move(owned));
  ++q.running;
  asio::co_spawn(s.io, execute(s, q, rj), [&s, &q, id](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("job runner failed", {{"job_id", id.str()}, {"error", ex.what()}});
      }
    }
    finish(s, q, id);
  });
}

}  // namespace

void start_ready(runner_state& s, queue_state& q) {
  while (!s.stopping && q.running < q.cfg.concurrency && !q.buffer.empty()) {
    store::claimed_job job = std::move(q.buffer.front());
    q.buffer.pop_front();
    start(s, q, job);
  }
}

void request_stop(running_job& rj, stop_reason why) {
  if (rj.ctx.reason() != stop_reason::none) return;
  set_stop_reason(rj.ctx, why);
  rj.stop_timer.cancel();
}

}  // namespace detail
}  // namespace keel::jobs
