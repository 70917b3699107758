// One coroutine per running job: the handler raced against its timeout and stop requests,
// then a completion for the completer, a failure record, or the job put back.
#include "core/jobs/detail/execution.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include "core/db/error.hpp"
#include "core/jobs/detail/locked.hpp"
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

// Bytes outside printable ASCII become '?', so that no message can make the write fail.
std::string plain_ascii(std::string text) {
  for (char& c : text) {
    auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\n' && c != '\t') || b >= 0x7f) c = '?';
  }
  return text;
}

// Retried until written, as completions are: a failure that is not recorded leaves the job
// to its lease, and its real error is lost. The job keeps its slot (and its heartbeats)
// meanwhile, except when its row is locked: then it is written alone once the row is free.
async<void> record_failure(runner_state& s, queue_state& q, running_job& rj, const kind* k,
                           const std::string& full_error, bool discard, double seconds) {
  if (s.metrics) s.metrics->failed(rj.job.kind, seconds);
  failure f{.id = rj.job.id,
            .kind = rj.job.kind,
            .attempt = rj.job.attempt,
            .request_id = rj.job.request_id,
            .span = rj.span,
            .error = full_error.substr(0, max_error_length),
            .retry_in = k ? retry_delay(k->options, rj.job.attempt) : milliseconds(0),
            .discard = discard,
            .queue = &q};
  std::optional<store::failed_job> failed;
  bool rejected = false;
  auto traced = [&f] { return log::scope(f.span.trace_id, f.span.span_id); };
  for (int attempt = 1;; ++attempt) {
    try {
      failed =
          co_await store::fail(s.db, f.id, s.options.worker_id, f.error, f.retry_in, f.discard);
      break;
    } catch (const db::error& e) {
      // Refused by the server rather than lost on the way: the handler's message is the
      // likely cause (bytes that are not UTF-8), so it is tried once more in plain ASCII.
      if (rejected) {
        auto scoped = traced();
        log::error("could not record a failed job attempt; the job comes back through its lease",
                   {{"job_id", f.id.str()}, {"kind", f.kind}, {"error", e.what()}});
        co_return;
      }
      rejected = true;
      f.error = plain_ascii(f.error);
      continue;
    } catch (const std::exception& e) {
      s.database_trouble("fail", e.what());
      if (attempt == 1) {
        auto scoped = traced();
        log::warn("could not record a failed job attempt; retrying until it is written",
                  {{"job_id", f.id.str()}, {"kind", f.kind}, {"error", e.what()}});
      }
    }
    if (s.grace_over) {
      auto scoped = traced();
      log::error(
          "stopping before a failed job attempt could be recorded; the job comes back through "
          "its lease",
          {{"job_id", f.id.str()}, {"kind", f.kind}, {"error", f.error}});
      co_return;
    }
    co_await sleep_for(s.io, std::min(milliseconds(250) * attempt, milliseconds(2000)));
  }
  if (failed && failed->locked) {
    fail_when_unlocked(s, std::move(f));
    co_return;
  }
  recorded_failure(s, f, failed);
}

}  // namespace

void recorded_failure(runner_state& s, const failure& f,
                      const std::optional<store::failed_job>& failed) {
  log::scope traced(f.span.trace_id, f.span.span_id);
  if (!failed) {
    // The table no longer names this worker: cancelled, or rescued after a long outage.
    log::warn("job failed but is no longer held by this worker (cancelled or rescued meanwhile)",
              {{"job_id", f.id.str()}, {"kind", f.kind}, {"error", f.error}});
    return;
  }
  if (failed->state == "discarded") {
    if (s.metrics) s.metrics->discarded(f.kind);
    log::error("job discarded", {{"job_id", f.id.str()},
                                 {"kind", f.kind},
                                 {"attempt", f.attempt},
                                 {"request_id", f.request_id.value_or("")},
                                 {"errors", boost::json::serialize(failed->errors)}});
    return;
  }
  log::warn("job failed; it will be retried", {{"job_id", f.id.str()},
                                               {"kind", f.kind},
                                               {"attempt", f.attempt},
                                               {"retry_in_ms", f.retry_in.count()},
                                               {"request_id", f.request_id.value_or("")},
                                               {"error", f.error}});
  // Look again when it is due rather than waiting for the next poll.
  queue_state& q = *f.queue;
  auto due = steady::now() + f.retry_in;
  if (!q.next_retry || due < *q.next_retry) q.next_retry = due;
  q.wake.notify();
}

namespace {

async<void> put_back(runner_state& s, running_job& rj) {
  try {
    std::vector<uuid> ids{rj.job.id};
    co_await store::release(s.db, ids, s.options.worker_id);
    log::scope traced(rj.span.trace_id, rj.span.span_id);
    log::info("job put back for another worker",
              {{"job_id", rj.job.id.str()}, {"kind", rj.job.kind}});
  } catch (const std::exception& e) {
    log::scope traced(rj.span.trace_id, rj.span.span_id);
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
      log::scope traced(rj.span.trace_id, rj.span.span_id);
      log::debug("job completed", {{"job_id", rj.job.id.str()},
                                   {"kind", k->name},
                                   {"attempt", rj.job.attempt},
                                   {"seconds", seconds}});
    }
    co_return;
  }
  switch (rj.ctx.reason()) {
    case stop_reason::cancelled: {
      log::scope traced(rj.span.trace_id, rj.span.span_id);
      log::info("job cancelled while running", {{"job_id", rj.job.id.str()}, {"kind", k->name}});
      co_return;
    }
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
  rj.span = trace::continue_from(rj.job.traceparent);
  rj.ctx.traceparent = rj.span.traceparent();
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
