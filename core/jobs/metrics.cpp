// Job metrics series and the depth read behind each scrape.
#include "core/jobs/metrics.hpp"

#include "core/jobs/store.hpp"

namespace keel::jobs {
namespace {

constexpr const char* unfinished_states[] = {"available", "scheduled", "retryable", "running"};

// Job run times reach further than request latencies: up to ten minutes.
std::vector<double> run_time_buckets() {
  return {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600};
}

}  // namespace

job_metrics::job_metrics(metrics::registry& registry, const std::vector<std::string>& queues)
    : started_(registry.add_counter("keel_jobs_started_total", "Job attempts started", {"kind"})),
      completed_(registry.add_counter("keel_jobs_completed_total", "Jobs completed", {"kind"})),
      failed_(registry.add_counter("keel_jobs_failed_total",
                                   "Job attempts that failed (retried or discarded)", {"kind"})),
      discarded_(registry.add_counter("keel_jobs_discarded_total",
                                      "Jobs discarded after their last attempt", {"kind"})),
      duration_(registry.add_histogram("keel_job_duration_seconds", "Job attempt run time",
                                       {"kind"}, run_time_buckets())),
      depth_(
          std::make_shared<std::map<std::pair<std::string, std::string>, std::atomic<double>>>()) {
  for (const auto& queue : queues) {
    for (const char* state : unfinished_states) {
      auto& slot = (*depth_)[{queue, state}];
      slot.store(0);
      registry.add_gauge("keel_jobs_queue_depth", "Unfinished jobs by queue and state",
                         [depth = depth_, &slot] { return slot.load(std::memory_order_relaxed); },
                         {{"queue", queue}, {"state", state}});
    }
  }
}

void job_metrics::started(std::string_view kind) {
  started_.with({kind}).inc();
}

void job_metrics::completed(std::string_view kind, double seconds) {
  completed_.with({kind}).inc();
  duration_.with({kind}).observe(seconds);
}

void job_metrics::failed(std::string_view kind, double seconds) {
  failed_.with({kind}).inc();
  duration_.with({kind}).observe(seconds);
}

void job_metrics::discarded(std::string_view kind) {
  discarded_.with({kind}).inc();
}

async<void> job_metrics::refresh_depth(db::pool& db) {
  auto counts = co_await store::counts(db, true);
  for (auto& [key, value] : *depth_) value.store(0, std::memory_order_relaxed);
  for (const auto& c : counts) {
    auto it = depth_->find({c.queue, c.state});
    if (it != depth_->end()) it->second.store(static_cast<double>(c.count));
  }
}

}  // namespace keel::jobs
