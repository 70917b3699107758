// The Prometheus registry: exposition format and lock-free counting from several threads.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "core/metrics/http_metrics.hpp"
#include "core/metrics/registry.hpp"

using keel::metrics::registry;

TEST_CASE("render writes HELP and TYPE lines and labelled counters") {
  registry r;
  auto& hits = r.add_counter("keel_hits_total", "Hits\nby path \\ kind.", {"path"});
  hits.with({"/a"}).inc();
  hits.with({"/a"}).inc(2);
  hits.with({"say \"hi\"\\\n"}).inc();
  auto text = r.render();
  CHECK(text.find("# HELP keel_hits_total Hits\\nby path \\\\ kind.\n") != std::string::npos);
  CHECK(text.find("# TYPE keel_hits_total counter\n") != std::string::npos);
  CHECK(text.find("keel_hits_total{path=\"/a\"} 3\n") != std::string::npos);
  CHECK(text.find("keel_hits_total{path=\"say \\\"hi\\\"\\\\\\n\"} 1\n") != std::string::npos);
}

TEST_CASE("render writes histogram buckets cumulatively with sum and count") {
  registry r;
  auto& h = r.add_histogram("keel_op_seconds", "Op time.", {"op"}, {0.1, 1});
  auto& op = h.with({"x"});
  op.observe(0.05);
  op.observe(0.5);
  op.observe(0.5);
  op.observe(7);
  auto text = r.render();
  CHECK(text.find("# TYPE keel_op_seconds histogram\n") != std::string::npos);
  CHECK(text.find("keel_op_seconds_bucket{op=\"x\",le=\"0.1\"} 1\n") != std::string::npos);
  CHECK(text.find("keel_op_seconds_bucket{op=\"x\",le=\"1\"} 3\n") != std::string::npos);
  CHECK(text.find("keel_op_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n") != std::string::npos);
  CHECK(text.find("keel_op_seconds_sum{op=\"x\"} 8.05\n") != std::string::npos);
  CHECK(text.find("keel_op_seconds_count{op=\"x\"} 4\n") != std::string::npos);
}

TEST_CASE("gauges are read through their callbacks at scrape time") {
  registry r;
  int idle = 3;
  r.add_gauge("keel_db_pool_connections", "Pool connections.", [&] { return double(idle); },
              {{"state", "idle"}});
  r.add_gauge("keel_db_pool_connections", "Pool connections.", [] { return 5.0; },
              {{"state", "busy"}});
  r.add_gauge("keel_up", "Up.", [] { return 1.0; });
  idle = 4;
  auto text = r.render();
  CHECK(text.find("# TYPE keel_db_pool_connections gauge\n") != std::string::npos);
  CHECK(text.find("keel_db_pool_connections{state=\"idle\"} 4\n") != std::string::npos);
  CHECK(text.find("keel_db_pool_connections{state=\"busy\"} 5\n") != std::string::npos);
  CHECK(text.find("keel_up 1\n") != std::string::npos);
  // One HELP/TYPE pair per name even with several gauges under it.
  CHECK(text.find("# TYPE keel_db_pool_connections") ==
        text.rfind("# TYPE keel_db_pool_connections"));
}

TEST_CASE("a name registered as another kind or with other labels is rejected") {
  registry r;
  auto& a = r.add_counter("keel_x_total", "X.", {"a"});
  CHECK(&r.add_counter("keel_x_total", "X.", {"a"}) == &a);
  CHECK_THROWS_AS(r.add_counter("keel_x_total", "X.", {"b"}), std::logic_error);
  CHECK_THROWS_AS(r.add_histogram("keel_x_total", "X.", {"a"}), std::logic_error);
  CHECK_THROWS_AS(r.add_counter("bad name", "X."), std::logic_error);
  CHECK_THROWS_AS(a.with({"1", "2"}), std::logic_error);
}

TEST_CASE("counts from several threads add up") {
  registry r;
  auto& c = r.add_counter("keel_n_total", "N.").with({});
  auto& h = r.add_histogram("keel_h_seconds", "H.", {}, {1}).with({});
  constexpr int threads = 4, per_thread = 100000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        h.observe(0.5);
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK(c.value() == std::uint64_t(threads) * per_thread);
  auto snap = h.collect();
  CHECK(snap.cumulative.back() == std::uint64_t(threads) * per_thread);
  CHECK(snap.sum == Approx(0.5 * threads * per_thread));
}

TEST_CASE("HTTP metrics label requests by route pattern, method and status") {
  registry r;
  keel::metrics::http_metrics metrics(r);
  keel::metrics::http_metrics::recorder rec(metrics);
  rec.record("/api/v1/templates/{slug}", "GET", 200, 0.002);
  rec.record("/api/v1/templates/{slug}", "GET", 200, 0.003);
  rec.record("unmatched", "GET", 404, 0.0001);
  auto text = r.render();
  CHECK(text.find("keel_http_requests_total{route=\"/api/v1/templates/{slug}\",method=\"GET\","
                  "status=\"200\"} 2\n") != std::string::npos);
  CHECK(text.find(
            "keel_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("keel_http_request_duration_seconds_count{route=\"/api/v1/templates/{slug}\","
                  "method=\"GET\"} 2\n") != std::string::npos);
}
