// Sharded metric storage and the Prometheus text renderer.
#include "core/metrics/registry.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <variant>

namespace keel::metrics {

namespace detail {

std::size_t shard_index() {
  // Threads take shards round-robin, so N event loops (N <= shard_count) never share one.
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
  return index;
}

}  // namespace detail

std::uint64_t counter::value() const {
  std::uint64_t total = 0;
  for (const auto& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

histogram::histogram(const std::vector<double>& bounds) : bounds_(bounds) {
  if (bounds.size() > max_buckets) throw std::logic_error("metrics: too many histogram buckets");
}

void histogram::observe(double v) {
  // Linear scan: a dozen buckets is faster to scan than to bisect.
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  auto& s = shards_[detail::shard_index()];
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(v, std::memory_order_relaxed);
}

histogram::snapshot histogram::collect() const {
  snapshot out;
  out.cumulative.assign(bounds_.size() + 1, 0);
  for (const auto& s : shards_) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      out.cumulative[i] += s.buckets[i].load(std::memory_order_relaxed);
    }
    out.sum += s.sum.load(std::memory_order_relaxed);
  }
  for (std::size_t i = 1; i < out.cumulative.size(); ++i) {
    out.cumulative[i] += out.cumulative[i - 1];
  }
  return out;
}

std::vector<double> default_latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

namespace {

struct gauge_group {
  std::string name;
  std::string help;
  std::vector<std::pair<labels, std::function<double()>>> readers;
};

using entry = std::variant<std::unique_ptr<counter_family>, std::unique_ptr<histogram_family>,
                           std::unique_ptr<gauge_group>>;

void append_escaped(std::string& out, std::string_view s, bool quotes) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// name{a="x",b="y"[,le="0.1"]}
void append_series(std::string& out, std::string_view name, const std::vector<std::string>& keys,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  out += name;
  if (keys.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ',';
    out += keys[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!le.empty()) {
    if (!keys.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

struct registry::impl {
  mutable std::mutex mutex;  // guards registration and scraping, never an increment
  std::vector<entry> entries;
};

// family<> keeps its name behind an accessor; gauge_group is a plain struct. This gives both
// the same shape for impl::find.
namespace {
struct name_of {
  template <class T>
  const std::string& operator()(const T& p) const {
    if constexpr (std::is_same_v<T, std::unique_ptr<gauge_group>>) {
      return p->name;
    } else {
      return p->name();
    }
  }
};
}  // namespace

registry::registry() : impl_(std::make_unique<impl>()) {}
registry::~registry() = default;

namespace {

template <class F>
F* find_family(std::vector<entry>& entries, const std::string& name) {
  for (auto& e : entries) {
    if (std::visit(name_of{}, e) != name) continue;
    if (auto* p = std::get_if<std::unique_ptr<F>>(&e)) return p->get();
    throw std::logic_error("metrics: " + name + " is already registered as another kind");
  }
  return nullptr;
}

}  // namespace

counter_family& registry::add_counter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  if (!valid_name(name)) throw std::logic_error("metrics: invalid name " + name);
  std::lock_guard lock(impl_->mutex);
  if (auto* existing = find_family<counter_family>(impl_->entries, name)) {
    if (existing->label_names() != label_names) {
      throw std::logic_error("metrics: " + name + " registered again with other labels");
    }
    return *existing;
  }
  auto f =
      std::make_unique<counter_family>(std::move(name), std::move(help), std::move(label_names));
  auto& ref = *f;
  impl_->entries.emplace_back(std::move(f));
  return ref;
}

histogram_family& registry::add_histogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  if (!valid_name(name)) throw std::logic_error("metrics: invalid name " + name);
  if (!std::is_sorted(bounds.begin(), bounds.end()) || bounds.size() > histogram::max_buckets) {
    throw std::logic_error("metrics: " + name + " needs at most " +
                           std::to_string(histogram::max_buckets) + " ascending bounds");
  }
  std::lock_guard lock(impl_->mutex);
  if (auto* existing = find_family<histogram_family>(impl_->entries, name)) {
    if (existing->label_names() != label_names || existing->bounds() != bounds) {
      throw std::logic_error("metrics: " + name + " registered again with other labels");
    }
    return *existing;
  }
  auto f = std::make_unique<histogram_family>(std::move(name), std::move(help),
                                              std::move(label_names), std::move(bounds));
  auto& ref = *f;
  impl_->entries.emplace_back(std::move(f));
  return ref;
}

void registry::add_gauge(std::string name, std::string help, std::function<double()> read,
                         labels label_values) {
  if (!valid_name(name)) throw std::logic_error("metrics: invalid name " + name);
  std::lock_guard lock(impl_->mutex);
  auto* group = find_family<gauge_group>(impl_->entries, name);
  if (group == nullptr) {
    auto g = std::make_unique<gauge_group>();
    g->name = std::move(name);
    g->help = std::move(help);
    group = g.get();
    impl_->entries.emplace_back(std::move(g));
  }
  group->readers.emplace_back(std::move(label_values), std::move(read));
}

std::string registry::render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(impl_->mutex);
  for (const auto& e : impl_->entries) {
    if (const auto* c = std::get_if<std::unique_ptr<counter_family>>(&e)) {
      const auto& f = **c;
      append_header(out, f.name(), f.help(), "counter");
      f.for_each([&](const std::vector<std::string>& values, const counter& m) {
        append_series(out, f.name(), f.label_names(), values);
        fmt::format_to(std::back_inserter(out), " {}\n", m.value());
      });
    } else if (const auto* h = std::get_if<std::unique_ptr<histogram_family>>(&e)) {
      const auto& f = **h;
      append_header(out, f.name(), f.help(), "histogram");
      std::string bucket = f.name() + "_bucket";
      std::string sum = f.name() + "_sum";
      std::string count = f.name() + "_count";
      f.for_each([&](const std::vector<std::string>& values, const histogram& m) {
        auto snap = m.collect();
        std::string le;
        for (std::size_t i = 0; i <= f.bounds().size(); ++i) {
          le.clear();
          if (i < f.bounds().size()) {
            append_number(le, f.bounds()[i]);
          } else {
            le = "+Inf";
          }
          append_series(out, bucket, f.label_names(), values, le);
          fmt::format_to(std::back_inserter(out), " {}\n", snap.cumulative[i]);
        }
        append_series(out, sum, f.label_names(), values);
        out += ' ';
        append_number(out, snap.sum);
        out += '\n';
        append_series(out, count, f.label_names(), values);
        fmt::format_to(std::back_inserter(out), " {}\n", snap.cumulative.back());
      });
    } else {
      const auto& g = *std::get<std::unique_ptr<gauge_group>>(e);
      append_header(out, g.name, g.help, "gauge");
      for (const auto& [label_values, read] : g.readers) {
        std::vector<std::string> keys, values;
        for (const auto& [k, v] : label_values) {
          keys.push_back(k);
          values.push_back(v);
        }
        double v = 0;
        // A broken gauge callback must not break the whole scrape.
        try {
          v = read();
        } catch (...) {
          v = std::nan("");
        }
        append_series(out, g.name, keys, values);
        out += ' ';
        append_number(out, v);
        out += '\n';
      }
    }
  }
  return out;
}

}  // namespace keel::metrics
