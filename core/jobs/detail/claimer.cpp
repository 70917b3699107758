// The claim loop of a queue. The queue holds up to concurrency + ahead jobs (running,
// buffered, or asked for by claims in flight); a claim asks for at most half of that, and two
// may be in flight, so while one batch runs the next is already being claimed: no job waits
// for a claim's round trip while the queue has work.
//
// Buffered jobs are claimed like running ones (state running, leased, heartbeated, put back
// unchanged at a stop), so they cost nothing to correctness. The buffer is kept small, as a
// buffered job can neither go to another worker nor be overtaken by a job enqueued later with
// a higher priority: `ahead` is what the slots finish in about two claim round trips (at most
// claim_ahead), so jobs of a millisecond get a buffer and jobs of a second or more get none,
// and a new high-priority job waits a few milliseconds behind it at most.
#include "core/jobs/detail/claimer.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <cmath>

#include "core/jobs/detail/execution.hpp"
#include "core/runtime/log.hpp"

namespace keel::jobs::detail {
namespace {

constexpr int max_claims_in_flight = 2;

async<void> release(runner_state& s, const std::vector<uuid>& ids) {
  if (ids.empty()) co_return;
  try {
    co_await store::release(s.db, ids, s.options.worker_id);
  } catch (const std::exception& e) {
    log::warn("could not put claimed jobs back; they are rescued when their lease expires",
              {{"jobs", ids.size()}, {"error", e.what()}});
  }
}

// The buffer that covers two claim round trips at the rate this queue's jobs finish.
int ahead(const queue_state& q) {
  if (q.job_seconds < 0) return 0;  // nothing known yet: claim for the free slots only
  double per_round_trip = q.cfg.concurrency * q.claim_seconds / std::max(q.job_seconds, 1e-6);
  return static_cast<int>(std::lround(std::min<double>(q.claim_ahead, 2 * per_round_trip)));
}

// How many jobs to claim now; 0 when no claim is due or worth its round trip.
int claim_size(const queue_state& q) {
  if (!(q.due || q.maybe_more) || q.claims >= max_claims_in_flight) return 0;
  if (q.claim_paused_until && steady::now() < *q.claim_paused_until) return 0;
  const int capacity = q.cfg.concurrency + ahead(q);
  const int batch = std::max(1, (capacity + 1) / 2);
  const int held = q.running + static_cast<int>(q.buffer.size()) + q.claiming;
  const int room = capacity - held;
  // A free slot nothing is coming for is worth any claim; otherwise wait for a full batch's
  // room, rather than paying a claim per finished job.
  if (held < q.cfg.concurrency) return std::min(room, batch);
  return room >= batch ? batch : 0;
}

async<void> claim(runner_state& s, queue_state& q, int n) {
  std::vector<store::claimed_job> claimed;
  bool ok = false;
  auto sent = steady::now();
  try {
    claimed = co_await store::claim(s.db, q.cfg.name, n, s.options.lease, s.options.worker_id);
    double seconds = std::chrono::duration<double>(steady::now() - sent).count();
    q.claim_seconds = 0.8 * q.claim_seconds + 0.2 * seconds;
    ok = true;
  } catch (const std::exception& e) {
    s.database_trouble("claim", e.what());
  }
  q.claiming -= n;
  if (!ok) {
    q.due = true;
    q.claim_paused_until = steady::now() + std::max(s.options.poll_interval, milliseconds(500));
  } else if (s.stopping) {
    std::vector<uuid> ids;
    for (const auto& job : claimed) ids.push_back(job.id);
    co_await release(s, ids);
  } else {
    s.database_fine();
    q.maybe_more = static_cast<int>(claimed.size()) == n;
    for (auto& job : claimed) {
      if (s.holds(job.id)) {
        // An earlier claim of it was lost (committed without a WAL flush, then PostgreSQL
        // crashed) while it ran here: this claim makes the table right, the run goes on.
        log::warn("claimed a job this worker already holds; not starting it twice",
                  {{"job_id", job.id.str()}, {"kind", job.kind}, {"attempt", job.attempt}});
        continue;
      }
      q.buffer.push_back(std::move(job));
    }
    start_ready(s, q);
  }
  --q.claims;
  q.wake.notify();
}

void start_claim(runner_state& s, queue_state& q, int n) {
  q.due = false;
  q.claiming += n;
  ++q.claims;
  boost::asio::co_spawn(s.io, claim(s, q, n), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("claim failed", {{"error", ex.what()}});
    }
  });
}

}  // namespace

async<void> claim_loop(runner_state& s, queue_state& q) {
  while (!s.stopping) {
    if (int n = claim_size(q); n > 0) {
      start_claim(s, q, n);
      continue;
    }
    auto timeout = s.options.poll_interval;
    if (q.next_retry) timeout = std::min(timeout, until(*q.next_retry));
    if (q.claim_paused_until) timeout = std::min(timeout, until(*q.claim_paused_until));
    // Not notified: the poll interval passed, so look (the fallback for lost NOTIFYs,
    // scheduled jobs coming due and PgBouncer mode).
    if (!co_await q.wake.wait(timeout)) q.due = true;
    if (q.next_retry && steady::now() >= *q.next_retry) {
      q.next_retry.reset();
      q.due = true;
    }
    if (q.claim_paused_until && steady::now() >= *q.claim_paused_until) {
      q.claim_paused_until.reset();
    }
  }
  // Claims still in flight put their jobs back themselves; the pool must stay open for them.
  while (q.claims > 0) co_await q.wake.wait(std::chrono::seconds(1));
}

async<void> release_buffered(runner_state& s) {
  std::vector<uuid> ids;
  for (auto& q : s.queues) {
    for (const auto& job : q->buffer) ids.push_back(job.id);
    q->buffer.clear();
  }
  if (ids.empty()) co_return;
  log::info("stopping: putting claimed jobs that have not started back", {{"jobs", ids.size()}});
  co_await release(s, ids);
}

bool drop_buffered(runner_state& s, const uuid& id) {
  for (auto& q : s.queues) {
    auto it = std::find_if(q->buffer.begin(), q->buffer.end(),
                           [&](const store::claimed_job& job) { return job.id == id; });
    if (it != q->buffer.end()) {
      q->buffer.erase(it);
      q->wake.notify();
      return true;
    }
  }
  return false;
}

}  // namespace keel::jobs::detail
