// The job queue against a real PostgreSQL: transactional enqueue, the runner's claims, retries,
// unique keys, scheduling, priorities, cancellation, timeouts, rescue and graceful stop.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/jobs/registry.hpp"
#include "core/jobs/runner.hpp"
#include "core/jobs/service.hpp"
#include "core/jobs/store.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"

using namespace std::chrono_literals;
namespace db = keel::db;
namespace jobs = keel::jobs;
using keel::async;
using keel::uuid;
using keel::test::sleep_for;
using steady = std::chrono::steady_clock;

namespace {

// Who the admin actions below are recorded as in the audit log.
const keel::audit::origin by_admin{};

// Polls `done` every 10ms; false when it is still not true after `timeout`.
template <class F>
async<bool> eventually(F done, std::chrono::milliseconds timeout) {
  auto until = steady::now() + timeout;
  while (steady::now() < until) {
    if (co_await done()) co_return true;
    co_await sleep_for(10ms);
  }
  co_return co_await done();
}
template <class F>
async<bool> eventually(F done) {
  return eventually(std::move(done), 5s);
}

// A test database, a pool on one loop, a registry and a runner made on demand.
struct queue_fixture {
  keel::runtime::event_loops loops{1};
  db::pool pool;
  jobs::registry kinds;
  jobs::runner_options options;

  queue_fixture() : pool(loops, pool_options()) {
    options.queues = {{"default", 10}};
    options.lease = 2s;
    options.poll_interval = 100ms;
    options.shutdown_grace = 200ms;
    options.worker_id = "test-worker";
    options.listener_db = pool.options();
  }

  static db::pool_options pool_options() {
    db::pool_options o;
    o.url = keel::test::fresh_database();
    o.size = 4;
    o.application_name = "keel_jobs_test";
    return o;
  }

  async<uuid> enqueue(const std::string& kind) {
    const boost::json::value payload;
    const jobs::enqueue_options o;
    co_return co_await enqueue(kind, payload, o);
  }
  async<uuid> enqueue(const std::string& kind, const boost::json::value& payload,
                      const jobs::enqueue_options& o) {
    auto tx = co_await pool.begin();
    auto r = co_await jobs::enqueue(tx, kind, payload, o);
    co_await tx.commit();
    co_return r.id;
  }

  async<jobs::job> job(const uuid& id) { co_return co_await jobs::service(pool).get(id); }

  async<bool> in_state(const uuid& id, std::string state) {
    co_return (co_await job(id)).state == state;
  }

  // Runs `body` while a runner works (made from `options` now), then stops it gracefully.
  template <class F>
  void with_worker(F body) {
    jobs::runner runner(loops, pool, kinds, options);
    keel::test::run_async(loops, [&]() -> async<void> {
      bool stopped = false;
      boost::asio::co_spawn(co_await boost::asio::this_coro::executor, runner.run(),
                            [&](std::exception_ptr) { stopped = true; });
      co_await body(runner);
      runner.stop();
      while (!stopped) co_await sleep_for(10ms);
    });
  }

  template <class F>
  auto run(F body) {
    return keel::test::run_async(loops, body);
  }
};

boost::json::value numbered(int n) {
  boost::json::object o;
  o["n"] = n;
  return o;
}

// The empty payload of the tests' jobs.
const boost::json::value none;

jobs::handler counting(int& runs) {
  return [&runs](const boost::json::value&, jobs::job_context&) -> async<void> {
    ++runs;
    co_return;
  };
}

}  // namespace

TEST_CASE("a job enqueued in a rolled-back transaction does not exist", "[jobs]") {
  queue_fixture f;
  auto count = f.run([&]() -> async<std::int64_t> {
    auto tx = co_await f.pool.begin();
    co_await jobs::enqueue(tx, "jobs.noop", boost::json::value());
    co_await tx.rollback();
    co_return (co_await f.pool.query("SELECT count(*) FROM jobs"))[0].get<std::int64_t>(0);
  });
  CHECK(count == 0);
}

TEST_CASE("a committed job is picked up within tens of milliseconds through NOTIFY", "[jobs]") {
  queue_fixture f;
  f.options.poll_interval = 30s;  // so only a NOTIFY can wake the worker
  std::optional<steady::time_point> started;
  f.kinds.add("test.timed", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    started = steady::now();
    co_return;
  });
  std::chrono::milliseconds latency{};
  f.with_worker([&](jobs::runner&) -> async<void> {
    co_await sleep_for(500ms);  // the listener connects
    auto committed = steady::now();
    co_await f.enqueue("test.timed");
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return started.has_value(); }, 2s));
    latency = std::chrono::duration_cast<std::chrono::milliseconds>(*started - committed);
  });
  INFO("enqueue to start: " << latency.count() << "ms");
  CHECK(latency < 100ms);
}

TEST_CASE("a failing job is retried with backoff until it succeeds", "[jobs]") {
  queue_fixture f;
  std::vector<steady::time_point> attempts;
  f.kinds.add("test.flaky",
              [&](const boost::json::value&, jobs::job_context& ctx) -> async<void> {
                attempts.push_back(steady::now());
                if (ctx.attempt < 3)
                  throw std::runtime_error("flaky attempt " + std::to_string(ctx.attempt));
                co_return;
              },
              {.backoff_base = 100ms, .backoff_cap = 1s});
  jobs::job done;
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto id = co_await f.enqueue("test.flaky");
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "completed"); }));
    done = co_await f.job(id);
  });
  REQUIRE(attempts.size() == 3);
  CHECK(done.attempt == 3);
  REQUIRE(done.errors.as_array().size() == 2);
  CHECK(done.errors.as_array()[1].at("message").as_string() == "flaky attempt 2");
  // Equal jitter: the second wait is at least half of 2 * base.
  CHECK(attempts[1] - attempts[0] >= 50ms);
  CHECK(attempts[2] - attempts[1] >= 100ms);
}

TEST_CASE("after max_attempts a job is discarded with every error recorded", "[jobs]") {
  queue_fixture f;
  int runs = 0;
  f.kinds.add("test.broken",
              [&](const boost::json::value&, jobs::job_context&) -> async<void> {
                ++runs;
                throw std::runtime_error("always broken");
                co_return;
              },
              {.backoff_base = 10ms, .backoff_cap = 20ms});
  jobs::job discarded;
  f.with_worker([&](jobs::runner&) -> async<void> {
    jobs::enqueue_options opts1;
    opts1.max_attempts = 3;
    auto id = co_await f.enqueue("test.broken", none, opts1);
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "discarded"); }));
    discarded = co_await f.job(id);
  });
  CHECK(runs == 3);
  CHECK(discarded.attempt == 3);
  CHECK(discarded.finished_at.has_value());
  const auto& errors = discarded.errors.as_array();
  REQUIRE(errors.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(errors[i].at("attempt").as_int64() == i + 1);
    CHECK(errors[i].at("message").as_string() == "always broken");
  }
}

TEST_CASE("a job of an unknown kind is discarded at once with a clear error", "[jobs]") {
  queue_fixture f;
  jobs::job discarded;
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto id = co_await f.enqueue("no.such.kind");
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "discarded"); }));
    discarded = co_await f.job(id);
  });
  CHECK(discarded.attempt == 1);
  std::string message(discarded.errors.as_array()[0].at("message").as_string());
  CHECK(message.find("unknown job kind \"no.such.kind\"") != std::string::npos);
}

TEST_CASE("a permanent failure discards the job without retrying", "[jobs]") {
  queue_fixture f;
  f.kinds.add("test.bad_payload", [](const boost::json::value&, jobs::job_context&) -> async<void> {
    throw jobs::permanent_failure("payload has no recipient");
    co_return;
  });
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto id = co_await f.enqueue("test.bad_payload");
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "discarded"); }));
    CHECK((co_await f.job(id)).attempt == 1);
  });
}

TEST_CASE("a unique key returns the waiting job instead of adding a second one", "[jobs]") {
  queue_fixture f;
  f.run([&]() -> async<void> {
    jobs::enqueue_options o;
    o.run_at = keel::now() + std::chrono::hours(1);
    o.unique_key = "digest:42";
    auto tx = co_await f.pool.begin();
    auto first = co_await jobs::enqueue(tx, "test.digest", none, o);
    auto second = co_await jobs::enqueue(tx, "test.digest", none, o);
    auto other_kind = co_await jobs::enqueue(tx, "test.other", none, o);
    co_await tx.commit();
    CHECK_FALSE(first.existing);
    CHECK(second.existing);
    CHECK(second.id == first.id);
    CHECK_FALSE(other_kind.existing);
    // Once the first is finished, the key is free again.
    co_await jobs::service(f.pool).cancel(first.id, by_admin);
    auto tx2 = co_await f.pool.begin();
    auto third = co_await jobs::enqueue(tx2, "test.digest", none, o);
    co_await tx2.commit();
    CHECK_FALSE(third.existing);
    CHECK(third.id != first.id);
  });
}

TEST_CASE("enqueue_many adds every job in one transaction and carries the request id", "[jobs]") {
  queue_fixture f;
  f.run([&]() -> async<void> {
    std::vector<jobs::new_job> batch;
    for (int i = 0; i < 100; ++i) {
      jobs::new_job j;
      j.kind = "jobs.noop";
      j.payload = numbered(i);
      j.options.request_id = "req-1";
      batch.push_back(std::move(j));
    }
    auto tx = co_await f.pool.begin();
    auto added = co_await jobs::enqueue_many(tx, batch);
    co_await tx.commit();
    REQUIRE(added.size() == 100);
    auto fifth = co_await f.job(added[5].id);
    CHECK(fifth.payload.at("n").as_int64() == 5);
    CHECK(fifth.request_id == "req-1");
  });
}

TEST_CASE("a scheduled job runs no earlier than its run_at", "[jobs]") {
  queue_fixture f;
  std::optional<keel::timestamp> ran_at;
  f.kinds.add("test.later", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    ran_at = keel::now();
    co_return;
  });
  auto run_at = keel::now() + 600ms;
  f.with_worker([&](jobs::runner&) -> async<void> {
    jobs::enqueue_options opts2;
    opts2.run_at = run_at;
    auto id = co_await f.enqueue("test.later", none, opts2);
    CHECK((co_await f.job(id)).state == "scheduled");
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return ran_at.has_value(); }, 3s));
  });
  CHECK(*ran_at >= run_at);
  CHECK(*ran_at - run_at < 500ms);
}

TEST_CASE("higher priority jobs run first", "[jobs]") {
  queue_fixture f;
  f.options.queues = {{"default", 1}};
  std::vector<std::int64_t> order;
  f.kinds.add("test.order", [&](const boost::json::value& p, jobs::job_context&) -> async<void> {
    order.push_back(p.at("n").as_int64());
    co_return;
  });
  f.run([&]() -> async<void> {
    jobs::enqueue_options opts3;
    opts3.priority = 0;
    co_await f.enqueue("test.order", numbered(1), opts3);
    jobs::enqueue_options opts4;
    opts4.priority = 10;
    co_await f.enqueue("test.order", numbered(2), opts4);
    jobs::enqueue_options opts5;
    opts5.priority = -5;
    co_await f.enqueue("test.order", numbered(3), opts5);
    jobs::enqueue_options opts6;
    opts6.priority = 10;
    co_await f.enqueue("test.order", numbered(4), opts6);
  });
  f.with_worker([&](jobs::runner&) -> async<void> {
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return order.size() == 4; }));
  });
  CHECK(order == std::vector<std::int64_t>{2, 4, 1, 3});
}

TEST_CASE("a cancelled pending job never runs", "[jobs]") {
  queue_fixture f;
  int runs = 0;
  f.kinds.add("test.count", counting(runs));
  f.with_worker([&](jobs::runner&) -> async<void> {
    jobs::enqueue_options opts7;
    opts7.delay = 300ms;
    auto id = co_await f.enqueue("test.count", none, opts7);
    auto cancelled = co_await jobs::service(f.pool).cancel(id, by_admin);
    CHECK(cancelled.state == "cancelled");
    co_await sleep_for(600ms);
    CHECK((co_await f.job(id)).state == "cancelled");
  });
  CHECK(runs == 0);
}

TEST_CASE("a cancelled running job is told and stops at its next check", "[jobs]") {
  queue_fixture f;
  bool started = false;
  bool saw_cancel = false;
  f.kinds.add("test.long", [&](const boost::json::value&, jobs::job_context& ctx) -> async<void> {
    started = true;
    try {
      co_await sleep_for(20s);
    } catch (const std::exception&) {
    }
    saw_cancel = ctx.cancelled() && ctx.reason() == jobs::stop_reason::cancelled;
  });
  f.with_worker([&](jobs::runner& runner) -> async<void> {
    co_await sleep_for(300ms);  // the listener connects
    auto id = co_await f.enqueue("test.long");
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return started; }));
    co_await jobs::service(f.pool).cancel(id, by_admin);
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runner.running() == 0; }, 2s));
    CHECK((co_await f.job(id)).state == "cancelled");
  });
  CHECK(saw_cancel);
}

TEST_CASE("a job running past its kind's timeout fails with a timeout error", "[jobs]") {
  queue_fixture f;
  f.kinds.add(
      "test.stuck",
      [](const boost::json::value&, jobs::job_context&) -> async<void> { co_await sleep_for(20s); },
      {.timeout = 150ms});
  auto started = steady::now();
  jobs::job timed_out;
  f.with_worker([&](jobs::runner&) -> async<void> {
    jobs::enqueue_options opts8;
    opts8.max_attempts = 1;
    auto id = co_await f.enqueue("test.stuck", none, opts8);
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "discarded"); }));
    timed_out = co_await f.job(id);
  });
  CHECK(steady::now() - started < 3s);
  std::string message(timed_out.errors.as_array()[0].at("message").as_string());
  CHECK(message == "timed out after 150ms");
}

TEST_CASE("jobs of a worker whose lease expired are rescued, counting the attempt", "[jobs]") {
  queue_fixture f;
  f.run([&]() -> async<void> {
    jobs::enqueue_options opts9;
    opts9.max_attempts = 3;
    auto retried = co_await f.enqueue("test.x", none, opts9);
    jobs::enqueue_options opts10;
    opts10.max_attempts = 1;
    auto last = co_await f.enqueue("test.x", none, opts10);
    // A worker that claims them and dies: nobody heartbeats, the lease runs out.
    auto claimed = co_await jobs::store::claim(f.pool, "default", 10, 1ms, "dead-worker");
    REQUIRE(claimed.size() == 2);
    co_await sleep_for(20ms);
    auto rescued = co_await jobs::store::rescue(f.pool, 100);
    CHECK(rescued.size() == 2);
    auto r = co_await f.job(retried);
    CHECK(r.state == "retryable");
    CHECK(r.attempt == 1);
    std::string message(r.errors.as_array()[0].at("message").as_string());
    CHECK(message.find("lease expired: worker dead-worker") != std::string::npos);
    CHECK((co_await f.job(last)).state == "discarded");
    // A live lease is left alone.
    auto live = co_await f.enqueue("test.x");
    co_await jobs::store::claim(f.pool, "default", 10, 10s, "live-worker");
    CHECK((co_await jobs::store::rescue(f.pool, 100)).empty());
    CHECK((co_await f.job(live)).state == "running");
  });
}

TEST_CASE("heartbeats keep a long job's lease alive past the lease length", "[jobs]") {
  queue_fixture f;
  f.options.lease = 300ms;
  int runs = 0;
  f.kinds.add("test.slow", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    ++runs;
    co_await sleep_for(1s);
  });
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto id = co_await f.enqueue("test.slow");
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "completed"); }));
    CHECK((co_await f.job(id)).attempt == 1);
  });
  CHECK(runs == 1);
}

TEST_CASE("a graceful stop puts running jobs back as available without counting the attempt",
          "[jobs]") {
  queue_fixture f;
  int started = 0;
  f.kinds.add("test.long", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    ++started;
    co_await sleep_for(20s);
  });
  std::vector<uuid> ids;
  auto stop_began = steady::now();
  f.with_worker([&](jobs::runner&) -> async<void> {
    for (int i = 0; i < 3; ++i) ids.push_back(co_await f.enqueue("test.long"));
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return started == 3; }));
    stop_began = steady::now();
  });
  CHECK(steady::now() - stop_began < 1500ms);  // grace 200ms, then the handlers are stopped
  f.run([&]() -> async<void> {
    for (const auto& id : ids) {
      auto j = co_await f.job(id);
      CHECK(j.state == "available");
      CHECK(j.attempt == 0);
      CHECK(j.errors.as_array().empty());
    }
  });
}

TEST_CASE("retry now makes a discarded job run again", "[jobs]") {
  queue_fixture f;
  int runs = 0;
  f.kinds.add("test.count", counting(runs));
  f.run([&]() -> async<void> {
    jobs::enqueue_options opts11;
    opts11.max_attempts = 1;
    auto id = co_await f.enqueue("test.count", none, opts11);
    co_await jobs::store::claim(f.pool, "default", 1, 10s, "w");
    co_await jobs::store::fail(f.pool, id, "w", "boom", 0ms, false);
    CHECK((co_await f.job(id)).state == "discarded");
    auto again = co_await jobs::service(f.pool).retry(id, by_admin);
    CHECK(again.state == "available");
    CHECK(again.max_attempts == 2);
  });
  f.with_worker([&](jobs::runner&) -> async<void> {
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runs == 1; }));
  });
}

namespace {

// Runs `n` no-op jobs of kind test.quick to completion, so that the runner has seen how fast
// this queue's jobs finish and claims ahead of its free slots from then on.
async<void> warm_up(queue_fixture& f, int n) {
  for (int i = 0; i < n; ++i) co_await f.enqueue("test.quick");
  co_await eventually(
      [&]() -> async<bool> {
        auto rows = co_await f.pool.query(
            "SELECT count(*) FROM jobs WHERE kind = 'test.quick' AND state = 'completed'");
        co_return rows[0].get<std::int64_t>(0) == n;
      },
      10s);
}

// `sql` is a literal: it outlives the query.
async<std::int64_t> count_of(queue_fixture& f, std::string_view sql) {
  auto rows = co_await f.pool.query(sql);
  co_return rows[0].get<std::int64_t>(0);
}

}  // namespace

TEST_CASE("jobs claimed ahead wait leased and unstarted, and go back unchanged at a stop",
          "[jobs]") {
  queue_fixture f;
  f.options.queues = {{"default", 2}};
  f.options.claim_ahead = 4;
  f.kinds.add("test.quick",
              [](const boost::json::value&, jobs::job_context&) -> async<void> { co_return; });
  int started = 0;
  f.kinds.add("test.long", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    ++started;
    co_await sleep_for(20s);
  });
  std::vector<uuid> ids;
  f.with_worker([&](jobs::runner& runner) -> async<void> {
    co_await warm_up(f, 20);
    std::vector<jobs::new_job> batch(5);
    for (auto& j : batch) {
      j.kind = "test.long";
      j.payload = boost::json::object();
    }
    auto tx = co_await f.pool.begin();
    auto added = co_await jobs::enqueue_many(tx, batch);
    co_await tx.commit();
    for (const auto& a : added) ids.push_back(a.id);
    // 15 s, not the usual 5: under ASan on a loaded machine the claims alone took longer.
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runner.buffered() == 3; }, 15s));
    CHECK(runner.running() == 2);
    CHECK(started == 2);
    CHECK(co_await count_of(f,
                            "SELECT count(*) FROM jobs WHERE kind = 'test.long' AND state = "
                            "'running' AND locked_by = 'test-worker' AND attempt = 1 AND "
                            "lease_expires_at > now()") == 5);
  });
  CHECK(started == 2);  // the buffered three never started
  f.run([&]() -> async<void> {
    for (const auto& id : ids) {
      auto j = co_await f.job(id);
      CHECK(j.state == "available");
      CHECK(j.attempt == 0);
      CHECK(j.errors.as_array().empty());
    }
  });
}

TEST_CASE("a job cancelled while it waits in the buffer never starts", "[jobs]") {
  queue_fixture f;
  f.options.queues = {{"default", 1}};
  f.options.claim_ahead = 2;
  f.kinds.add("test.quick",
              [](const boost::json::value&, jobs::job_context&) -> async<void> { co_return; });
  std::vector<std::int64_t> started;
  f.kinds.add("test.long", [&](const boost::json::value& p, jobs::job_context&) -> async<void> {
    started.push_back(p.at("n").as_int64());
    co_await sleep_for(20s);
  });
  f.with_worker([&](jobs::runner& runner) -> async<void> {
    co_await warm_up(f, 20);  // the listener connects meanwhile
    const jobs::enqueue_options o;
    const auto one = numbered(1);
    const auto two = numbered(2);
    auto first = co_await f.enqueue("test.long", one, o);
    auto second = co_await f.enqueue("test.long", two, o);
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runner.buffered() == 1; }));
    REQUIRE(started == std::vector<std::int64_t>{1});
    co_await jobs::service(f.pool).cancel(second, by_admin);
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runner.buffered() == 0; }));
    co_await jobs::service(f.pool).cancel(first, by_admin);  // its slot frees up
    REQUIRE(co_await eventually([&]() -> async<bool> { co_return runner.running() == 0; }));
    co_await sleep_for(300ms);
    CHECK((co_await f.job(second)).state == "cancelled");
  });
  CHECK(started == std::vector<std::int64_t>{1});
}

TEST_CASE("completions are written in batches and every job is completed once", "[jobs]") {
  queue_fixture f;
  int runs = 0;
  f.kinds.add("test.count", counting(runs));
  constexpr int n = 500;
  f.run([&]() -> async<void> {
    const std::string insert =
        "INSERT INTO jobs (kind) SELECT 'test.count' FROM generate_series(1, " + std::to_string(n) +
        ")";
    co_await f.pool.query(insert);
  });
  std::int64_t statements = 0;
  f.with_worker([&](jobs::runner&) -> async<void> {
    REQUIRE(co_await eventually(
        [&]() -> async<bool> {
          co_return co_await count_of(f, "SELECT count(*) FROM jobs WHERE state = 'completed'") ==
              n;
        },
        20s));
    // One completing statement stamps all its jobs with the same finished_at (now()).
    statements = co_await count_of(f, "SELECT count(DISTINCT finished_at) FROM jobs");
  });
  CHECK(runs == n);
  INFO("completing statements: " << statements);
  CHECK(statements <= n / 4);
}

TEST_CASE("an admin job action writes its audit row with the change, and a refused one none",
          "[jobs]") {
  queue_fixture f;
  keel::audit::origin by;
  by.actor_id = uuid::parse("0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
  by.ip = "203.0.113.9";
  by.request_id = "req-audit";
  f.run([&]() -> async<void> {
    auto audited = [&](const uuid& id) -> async<std::vector<std::string>> {
      auto rows = co_await f.pool.query(R"sql(
          SELECT action FROM audit_log
           WHERE details->>'job_id' = $1 AND request_id = 'req-audit' AND ip = '203.0.113.9'
             AND user_id IS NULL
           ORDER BY created_at
      )sql",
                                        id.str());
      std::vector<std::string> out;
      for (auto r : rows) out.push_back(r.get<std::string>(0));
      co_return out;
    };
    jobs::service svc(f.pool);
    auto id = co_await f.enqueue("test.audited");
    co_await svc.cancel(id, by);
    CHECK((co_await audited(id)) == std::vector<std::string>{"admin.job_cancelled"});
    // A second cancel is refused (409): no row claims it happened.
    CHECK_THROWS_AS(co_await svc.cancel(id, by), keel::conflict);
    co_await svc.retry(id, by);
    CHECK_THROWS_AS(co_await svc.retry(id, by), keel::conflict);
    co_await svc.cancel(id, by);
    co_await svc.remove(id, by);
    CHECK((co_await audited(id)) ==
          std::vector<std::string>{"admin.job_cancelled", "admin.job_retried",
                                   "admin.job_cancelled", "admin.job_deleted"});
    // Nothing to act on: 404, and still no row.
    CHECK_THROWS_AS(co_await svc.remove(id, by), keel::not_found);
    CHECK((co_await audited(id)).size() == 4);
  });
}

TEST_CASE("the worker's statements skip a row another session holds locked and say so",
          "[jobs][locks]") {
  queue_fixture f;
  f.run([&]() -> async<void> {
    std::vector<uuid> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(co_await f.enqueue("test.x"));
    auto claimed = co_await jobs::store::claim(f.pool, "default", 10, 10s, "w");
    REQUIRE(claimed.size() == 3);
    const uuid locked = ids[1];
    auto blocker = co_await f.pool.begin();
    co_await blocker.query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", locked);

    auto started = steady::now();
    auto skipped = co_await jobs::store::complete(f.pool, ids, "w");
    CHECK(steady::now() - started < 1s);  // it waited for nothing
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0] == locked);
    CHECK(co_await f.in_state(ids[0], "completed"));
    CHECK(co_await f.in_state(ids[2], "completed"));
    CHECK(co_await f.in_state(locked, "running"));

    std::vector<uuid> one{locked};
    auto beat = co_await jobs::store::heartbeat(f.pool, one, "w", 10s);
    CHECK(beat.held.empty());
    CHECK(beat.locked == one);
    auto failed = co_await jobs::store::fail(f.pool, locked, "w", "boom", 0ms, false);
    REQUIRE(failed);
    CHECK(failed->locked);
    CHECK(co_await jobs::store::release(f.pool, one, "w") == 0);
    CHECK((co_await f.job(locked)).errors.as_array().empty());  // nothing written

    // Not held by this worker at all: neither done nor reported locked.
    CHECK((co_await jobs::store::complete(f.pool, one, "someone-else")).empty());
    CHECK(!(co_await jobs::store::fail(f.pool, locked, "someone-else", "boom", 0ms, false)));

    // The waiting form gives up after its lock wait.
    std::string sqlstate;
    started = steady::now();
    try {
      co_await jobs::store::complete_locked(f.pool, locked, "w", 150ms);
    } catch (const db::error& e) {
      sqlstate = e.sqlstate();
    }
    auto gave_up_after = steady::now() - started;
    CHECK(sqlstate == jobs::store::lock_not_available);
    CHECK(gave_up_after >= 150ms);
    CHECK(gave_up_after < 2s);
    CHECK(co_await f.in_state(locked, "running"));
  });
}

TEST_CASE("a job completed alone waits in its row's lock queue and is written when the lock goes",
          "[jobs][locks]") {
  queue_fixture f;
  f.run([&]() -> async<void> {
    auto id = co_await f.enqueue("test.x");
    co_await jobs::store::claim(f.pool, "default", 1, 1ms, "w");  // its lease runs out at once
    auto blocker = co_await f.pool.begin();
    co_await blocker.query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", id);
    std::optional<bool> completed;
    boost::asio::co_spawn(
        co_await boost::asio::this_coro::executor,
        [&]() -> async<void> {
          completed = co_await jobs::store::complete_locked(f.pool, id, "w", 5s);
        },
        [](std::exception_ptr) {});
    co_await sleep_for(300ms);
    CHECK(!completed);
    // A rescuer skips the locked row, and never takes the jobs its own worker still holds.
    CHECK((co_await jobs::store::rescue(f.pool, 100)).empty());
    co_await blocker.rollback();
    CHECK(co_await eventually([&]() -> async<bool> { co_return completed.has_value(); }));
    CHECK(completed == true);
    CHECK(co_await f.in_state(id, "completed"));
    CHECK((co_await jobs::store::rescue(f.pool, 100)).empty());

    auto mine = co_await f.enqueue("test.x");
    co_await jobs::store::claim(f.pool, "default", 1, 1ms, "w");
    co_await sleep_for(20ms);
    std::vector<uuid> keep{mine};
    CHECK((co_await jobs::store::rescue(f.pool, 100, "w", keep)).empty());
    CHECK((co_await jobs::store::rescue(f.pool, 100, "another-worker", keep)).size() == 1);
  });
}

TEST_CASE("a handler's statement blocked on a row lock holds up no other job's claim or completion",
          "[jobs][locks]") {
  queue_fixture f;
  f.options.lease = 1s;
  int quick_runs = 0;
  bool blocked_done = false;
  f.kinds.add("test.quick", counting(quick_runs));
  f.kinds.add("test.blocked", [&](const boost::json::value&, jobs::job_context&) -> async<void> {
    co_await f.pool.query("UPDATE notes SET v = v + 1 WHERE id = 1");  // pipelined, it waits
    blocked_done = true;
  });
  f.run([&]() -> async<void> {
    co_await f.pool.query("CREATE TABLE notes (id int PRIMARY KEY, v int NOT NULL)");
    co_await f.pool.query("INSERT INTO notes VALUES (1, 0)");
  });
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto blocker = co_await f.pool.begin();
    co_await blocker.query("SELECT v FROM notes WHERE id = 1 FOR UPDATE");
    // The blocked statement goes out with the claims and completions of the quick jobs.
    std::vector<jobs::new_job> batch;
    batch.push_back({.kind = "test.blocked", .payload = boost::json::object()});
    for (int i = 0; i < 300; ++i) {
      batch.push_back({.kind = "test.quick", .payload = boost::json::object()});
    }
    auto tx = co_await f.pool.begin();
    co_await jobs::enqueue_many(tx, batch);
    co_await tx.commit();
    auto started = steady::now();
    CHECK(co_await eventually(
        [&]() -> async<bool> {
          // On a connection of its own: a pipelined statement sent within the 10 ms before
          // the pool sees the pipe stalled would itself queue behind the blocked one.
          auto l = co_await f.pool.acquire();
          auto rows = co_await l.query(
              "SELECT count(*) FROM jobs WHERE kind = 'test.quick' AND state = 'completed'");
          co_return rows[0].get<std::int64_t>(0) == 300;
        },
        4s));
    CHECK(quick_runs == 300);
    CHECK(steady::now() - started < 4s);
    CHECK(!blocked_done);
    co_await blocker.rollback();
    CHECK(co_await eventually([&]() -> async<bool> { co_return blocked_done; }));
  });
}

TEST_CASE("a failure whose message is not UTF-8 is still recorded, in plain ASCII", "[jobs]") {
  queue_fixture f;
  f.kinds.add("test.bad_bytes", [](const boost::json::value&, jobs::job_context&) -> async<void> {
    throw jobs::permanent_failure("no such file: caf\xe9.txt");
    co_return;
  });
  jobs::job discarded;
  f.with_worker([&](jobs::runner&) -> async<void> {
    auto id = co_await f.enqueue("test.bad_bytes");
    REQUIRE(co_await eventually(
        [&]() -> async<bool> { co_return co_await f.in_state(id, "discarded"); }));
    discarded = co_await f.job(id);
  });
  std::string message(discarded.errors.as_array()[0].at("message").as_string());
  CHECK(message == "no such file: caf?.txt");
}
