// A small Prometheus registry: labelled counters and histograms that several threads update
// without locks, and gauges read through callbacks when /metrics is scraped.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::metrics {

namespace detail {
// Each thread writes its own cache line of every metric, so increments from the event
// loops never contend; a scrape adds the shards up.
inline constexpr std::size_t shard_count = 8;
std::size_t shard_index();
}  // namespace detail

class counter {
 public:
  void inc(std::uint64_t n = 1) {
    shards_[detail::shard_index()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const;

 private:
  struct alignas(64) shard {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<shard, detail::shard_count> shards_;
};

class histogram {
 public:
  static constexpr std::size_t max_buckets = 30;

  // `bounds` are the upper bounds, ascending, without +Inf; it must outlive the histogram.
  explicit histogram(const std::vector<double>& bounds);
  void observe(double v);

  struct snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  snapshot collect() const;

 private:
  struct alignas(64) shard {
    std::array<std::atomic<std::uint64_t>, max_buckets + 1> buckets{};
    std::atomic<double> sum{0};
  };
  const std::vector<double>& bounds_;
  std::array<shard, detail::shard_count> shards_;
};

// A metric name with its label names; children are created on first use of a label set.
// with() takes a lock, so hot paths keep the returned reference (it stays valid for the
// registry's lifetime) instead of calling with() per event.
template <class metric>
class family {
 public:
  family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  metric& with(std::initializer_list<std::string_view> label_values) {
    return with(std::vector<std::string>(label_values.begin(), label_values.end()));
  }
  metric& with(std::vector<std::string> label_values) {
    if (label_values.size() != label_names_.size()) {
      throw std::logic_error("metrics: " + name_ + " takes " + std::to_string(label_names_.size()) +
                             " label values");
    }
    std::lock_guard lock(mutex_);
    auto& slot = children_[std::move(label_values)];
    if (!slot) {
      if constexpr (std::is_constructible_v<metric, const std::vector<double>&>) {
        slot = std::make_unique<metric>(bounds_);
      } else {
        slot = std::make_unique<metric>();
      }
    }
    return *slot;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  // Calls f(label_values, metric) for every child, in label order (stable output).
  template <class F>
  void for_each(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, child] : children_) f(values, *child);
  }

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<metric>> children_;
};

using counter_family = family<counter>;
using histogram_family = family<histogram>;
using labels = std::vector<std::pair<std::string, std::string>>;

// Latency buckets in seconds, from half a millisecond to ten seconds.
std::vector<double> default_latency_buckets();

class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  // Registering a name again with the same kind and labels returns the existing family;
  // anything else under a taken name throws std::logic_error.
  counter_family& add_counter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  histogram_family& add_histogram(std::string name, std::string help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds = default_latency_buckets());
  // A gauge whose value is read at scrape time (pool sizes, queue depth). Several gauges
  // may share a name with different labels. `read` runs on the scraping thread.
  void add_gauge(std::string name, std::string help, std::function<double()> read,
                 labels label_values = {});

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::metrics
