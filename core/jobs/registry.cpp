// The job-kind registry and the retry schedule.
#include "core/jobs/registry.hpp"

#include <algorithm>
#include <random>

namespace keel::jobs {

void registry::add(std::string name, handler run, kind_options options) {
  if (name.empty()) throw std::logic_error("a job kind needs a name");
  if (!run) throw std::logic_error("job kind " + name + " has no handler");
  if (kinds_.contains(name)) throw std::logic_error("job kind registered twice: " + name);
  std::string key = name;
  kinds_.emplace(std::move(key), kind{std::move(name), std::move(run), options});
}

const kind* registry::find(std::string_view name) const {
  auto it = kinds_.find(name);
  return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> registry::names() const {
  std::vector<std::string> out;
  out.reserve(kinds_.size());
  for (const auto& [name, k] : kinds_) out.push_back(name);
  return out;
}

std::chrono::milliseconds retry_delay(const kind_options& options, int attempt) {
  using std::chrono::milliseconds;
  auto cap = std::max(options.backoff_cap, milliseconds(1));
  auto delay = std::max(options.backoff_base, milliseconds(1));
  for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(0, delay.count() / 2);
  return milliseconds(delay.count() - delay.count() / 2 + jitter(random));
}

}  // namespace keel::jobs
