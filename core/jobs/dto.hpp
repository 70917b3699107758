// Jobs: what goes into the queue and what the admin views read back out.
#pragma once
#include <boost/describe/class.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dto/page.hpp"
#include "core/dto/rules.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::jobs {

// How a job is enqueued. Every field has a default, so `{}` is a job on "default" now.
struct enqueue_options {
  std::string queue = "default";
  int priority = 0;                             // higher runs first
  std::optional<timestamp> run_at = {};         // no earlier than this; overrides `delay`
  std::chrono::milliseconds delay{0};           // or this long after the transaction began
  int max_attempts = 20;                        // then the job is discarded (dead letter)
  std::optional<std::string> unique_key = {};   // one waiting or running job per (kind, key)
  std::optional<std::string> request_id = {};   // the HTTP request that caused it, for tracing
  std::optional<std::string> traceparent = {};  // the span (request or job) that enqueued it
};

// What caused a job, for the features that enqueue on a caller's behalf (mail::queue): the
// HTTP request and its trace span, both travelling into the worker's log lines.
struct cause {
  std::optional<std::string> request_id = {};
  std::optional<std::string> traceparent = {};
};

// One job for enqueue_many().
struct new_job {
  std::string kind = {};
  boost::json::value payload = {};
  enqueue_options options = {};
};

// What enqueue() did: the job's id, and whether it was already there (same unique key).
struct enqueued {
  uuid id;
  bool existing = false;
};

// A job as the admin API shows it.
struct job {
  static constexpr std::string_view schema_name = "Job";
  uuid id;
  std::string queue;
  std::string kind;
  boost::json::value payload;
  std::string state;
  int priority = 0;
  int attempt = 0;
  int max_attempts = 0;
  timestamp run_at;
  std::optional<timestamp> lease_expires_at;
  std::optional<std::string> locked_by;
  std::optional<std::string> unique_key;
  boost::json::value errors;  // [{"at", "attempt", "message"}], one per failed attempt
  std::optional<std::string> request_id;
  timestamp created_at;
  std::optional<timestamp> attempted_at;
  std::optional<timestamp> finished_at;
};
BOOST_DESCRIBE_STRUCT(job, (),
                      (id, queue, kind, payload, state, priority, attempt, max_attempts, run_at,
                       lease_expires_at, locked_by, unique_key, errors, request_id, created_at,
                       attempted_at, finished_at))

constexpr auto keel_rules(const job*) {
  using namespace keel::dto;
  return rules(field("state").one_of("available", "scheduled", "running", "completed", "retryable",
                                     "discarded", "cancelled"),
               field("errors").description("One entry per failed attempt: at, attempt, message"));
}

// GET /api/v1/jobs?state=&queue=&kind=&limit=&cursor= (newest first)
struct list_query {
  std::optional<std::string> state;
  std::optional<std::string> queue;
  std::optional<std::string> kind;
  std::optional<int> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(list_query, (), (state, queue, kind, limit, cursor))

constexpr auto keel_rules(const list_query*) {
  using namespace keel::dto;
  return rules(field("state").one_of("available", "scheduled", "running", "completed", "retryable",
                                     "discarded", "cancelled"),
               field("queue").max_length(64), field("kind").max_length(100),
               field("limit").range(1, 100).description("Page size, 20 when absent"),
               field("cursor").max_length(512).description("next_cursor of the previous page"));
}

using job_page = dto::page<job>;

// How many jobs one queue holds in one state.
struct state_count {
  std::string queue;
  std::string state;
  std::int64_t count = 0;
};
BOOST_DESCRIBE_STRUCT(state_count, (), (queue, state, count))

struct job_stats {
  std::vector<state_count> counts;
};
BOOST_DESCRIBE_STRUCT(job_stats, (), (counts))

}  // namespace keel::jobs
