// Job kinds with visible side effects, for the end-to-end tests of keel-worker. They write to
// test_job_runs, a table the tests create themselves: it is not part of the schema. Built only
// into keel-worker-test (tests/worker/main.cpp), never into keel-worker.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string_view>

#include "core/db/pool.hpp"
#include "core/jobs/registry.hpp"
#include "core/runtime/log.hpp"
#include "tests/worker/test_kinds.hpp"

namespace keel::worker {
namespace {

std::int64_t int_field(const boost::json::value& payload, std::string_view key) {
  if (!payload.is_object()) return 0;
  const auto* v = payload.as_object().if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

void add_test_kinds(jobs::registry& kinds, db::pool& db) {
  log::warn("test job kinds are registered (keel-worker-test)");

  // {"sleep_ms": n, "fail_attempts": n}: waits (cancellable), fails the first n attempts,
  // then records one row per successful run.
  kinds.add("test.record",
            [&db](const boost::json::value& payload, jobs::job_context& ctx) -> async<void> {
              if (auto ms = int_field(payload, "sleep_ms"); ms > 0) {
                boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                                std::chrono::milliseconds(ms));
                co_await timer.async_wait(boost::asio::use_awaitable);
              }
              if (ctx.attempt <= int_field(payload, "fail_attempts")) {
                throw std::runtime_error("failing attempt " + std::to_string(ctx.attempt) +
                                         " on purpose");
              }
              co_await db.query(R"sql(
            INSERT INTO test_job_runs (job_id, attempt, request_id) VALUES ($1, $2, $3)
        )sql",
                                ctx.id, std::int32_t{ctx.attempt}, ctx.request_id);
            },
            {.timeout = std::chrono::seconds(60),
             .backoff_base = std::chrono::milliseconds(100),
             .backoff_cap = std::chrono::seconds(1)});
}

}  // namespace keel::worker
