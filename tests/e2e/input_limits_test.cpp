// The worst bodies a client can send (1 MB of empty objects in an array, deep nesting, many
// unknown keys, long strings) to every JSON route keel-api documents: each answer is a small,
// fast problem, and /health stays fast meanwhile.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/api_server.hpp"

using namespace std::chrono_literals;
using keel::test::api_server;
using keel::test::http_client;
namespace json = boost::json;

namespace {

using clock_type = std::chrono::steady_clock;

// Under the default HTTP_BODY_LIMIT (1 MiB), so that each body is decoded rather than refused.
constexpr std::size_t body_bytes = 1000000;

struct json_route {
  std::string method;   // "POST"
  std::string target;   // path parameters filled in
  json::object schema;  // the request body's schema, $refs resolved at the top level
};

// A schema with its "$ref" followed, or the non-null branch of an optional's anyOf.
json::object resolve(const json::value& schema, const json::object& components) {
  json::object s = schema.as_object();
  for (int hops = 0; hops < 8; ++hops) {
    if (auto* ref = s.if_contains("$ref")) {
      std::string_view name = ref->as_string();
      name.remove_prefix(name.rfind('/') + 1);
      s = components.at(name).as_object();
    } else if (auto* any = s.if_contains("anyOf")) {
      json::object first;
      for (const auto& branch : any->as_array()) {
        if (branch.as_object().contains("$ref") || !branch.as_object().contains("type") ||
            branch.at("type") != "null") {
          first = branch.as_object();
          break;
        }
      }
      s = first;
    } else {
      break;
    }
  }
  return s;
}

bool is_type(const json::object& s, std::string_view type) {
  const json::value* t = s.if_contains("type");
  if (t == nullptr) return false;
  if (t->is_string()) return t->as_string() == type;
  if (t->is_array()) {
    for (const auto& one : t->as_array()) {
      if (one.is_string() && one.as_string() == type) return true;
    }
  }
  return false;
}

// A string member, or an optional one (anyOf string and null).
bool holds_string(const json::object& s) {
  if (is_type(s, "string")) return true;
  if (auto* any = s.if_contains("anyOf")) {
    for (const auto& branch : any->as_array()) {
      if (is_type(branch.as_object(), "string")) return true;
    }
  }
  return false;
}

// Every route whose OpenAPI operation takes an application/json body.
std::vector<json_route> json_routes(api_server& api) {
  auto doc_response = api.get("/openapi.json");
  REQUIRE(doc_response.status == 200);
  json::value doc = json::parse(doc_response.body);
  const json::object& components = doc.at("components").at("schemas").as_object();
  std::vector<json_route> found;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      const json::value* body = operation.as_object().if_contains("requestBody");
      if (body == nullptr) continue;
      const json::value* content =
          body->as_object().at("content").as_object().if_contains("application/json");
      if (content == nullptr) continue;
      std::string target(path);
      // Any {param} gets a value every parameter type accepts: a UUID is also a valid slug.
      for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
        target.replace(open, target.find('}', open) - open + 1,
                       "0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e");
      }
      std::string verb(method);
      std::transform(verb.begin(), verb.end(), verb.begin(), ::toupper);
      found.push_back({verb, target, resolve(content->at("schema"), components)});
    }
  }
  return found;
}

std::string empty_objects_array() {
  std::string a = "[{}";
  while (a.size() + 4 < body_bytes - 100) a += ",{}";
  return a + "]";
}

// The bodies that made one request cost seconds and megabytes before the caps.
std::vector<std::pair<std::string, std::string>> worst_bodies(const json_route& r) {
  std::vector<std::pair<std::string, std::string>> bodies;
  std::vector<std::string> names;
  std::vector<std::string> strings;
  if (auto* props = r.schema.if_contains("properties")) {
    for (const auto& [name, schema] : props->as_object()) {
      names.emplace_back(name);
      if (holds_string(schema.as_object())) strings.emplace_back(name);
    }
  }
  if (names.empty()) names.emplace_back("anything");
  const std::string objects = empty_objects_array();
  // Each member in turn as ~1 MB of empty objects: the array members' elements each fail.
  for (const auto& name : names) {
    bodies.emplace_back("empty objects in " + name, R"({")" + name + R"(":)" + objects + "}");
  }
  // Every member at once as a shorter such array.
  {
    std::string some = "[{}";
    while (some.size() < body_bytes / (names.size() + 1)) some += ",{}";
    some += "]";
    std::string body = "{";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) body += ",";
      body += "\"" + names[i] + "\":" + some;
    }
    bodies.emplace_back("empty objects in every member", body + "}");
  }
  // Nesting far past what the parser accepts.
  {
    std::size_t depth = body_bytes / 2 - 100;
    bodies.emplace_back("deep nesting", R"({")" + names.front() + R"(":)" +
                                            std::string(depth, '[') + std::string(depth, ']') +
                                            "}");
  }
  // ~80,000 unknown keys.
  {
    std::string body = "{";
    for (int i = 0; body.size() < body_bytes - 100; ++i) {
      if (i > 0) body += ",";
      body += "\"unknown_" + std::to_string(i) + "\":0";
    }
    bodies.emplace_back("many unknown keys", body + "}");
  }
  // Every string member as long as the body allows, each with multibyte characters.
  if (!strings.empty()) {
    std::string text;
    while (text.size() < (body_bytes - 1000) / strings.size()) text += "\xc3\xa9x";
    json::object o;
    for (const auto& name : strings) o[name] = text;
    bodies.emplace_back("long strings", json::serialize(o));
  }
  return bodies;
}

// /health asked every 20 ms on its own connection while the test runs; the slowest answer.
class health_watch {
 public:
  explicit health_watch(int port)
      : thread_([this, port] {
          while (!stop_) {
            auto started = clock_type::now();
            int status = 0;
            try {
              status = keel::test::http_request(port, "GET", "/health").status;
            } catch (const std::exception&) {
              status = -1;
            }
            auto took =
                std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
            if (status != 200) failures_++;
            samples_++;
            long prev = slowest_ms_;
            while (took.count() > prev && !slowest_ms_.compare_exchange_weak(prev, took.count())) {
            }
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~health_watch() { finish(); }

  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long slowest_ms() const { return slowest_ms_; }
  int samples() const { return samples_; }
  int failures() const { return failures_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> slowest_ms_{0};
  std::atomic<int> samples_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("the worst bodies to every JSON route get a small fast problem while health stays fast") {
  api_server api(keel::test::env_vars{{"ACCESS_LOG", "false"}});
  auto routes = json_routes(api);
  // keel-api serves JSON routes (auth, templates...); an empty list would prove nothing.
  REQUIRE(routes.size() >= 5);
  std::size_t rss_before = keel::test::status_kib(api.proc().pid());

  health_watch health(api.port());
  long slowest_ms = 0;
  std::string slowest;
  int sent = 0;
  for (const auto& r : routes) {
    for (const auto& [what, body] : worst_bodies(r)) {
      INFO(r.method << " " << r.target << ": " << what);
      REQUIRE(body.size() <= 1048576);
      auto started = clock_type::now();
      auto res = api.request(r.method, r.target, {{"Content-Type", "application/json"}}, body);
      long took = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started)
                      .count();
      ++sent;
      if (took > slowest_ms) {
        slowest_ms = took;
        slowest = r.method + " " + r.target + ": " + what;
      }
      INFO(res.body.substr(0, 400));
      CHECK(res.status >= 400);
      CHECK(res.status < 500);
      CHECK(res.header("content-type").rfind("application/problem+json", 0) == 0);
      // 51 field errors at most, each a short path and message.
      CHECK(res.body.size() < 8192);
      if (res.status == 422) {
        CHECK(res.json().at("errors").as_array().size() <= 51);
      }
      CHECK(took < 1000);
    }
  }
  // Four of the worst at once, as a client with four connections would send them.
  {
    const json_route& r = routes.front();
    std::string body = worst_bodies(r).front().second;
    std::vector<std::thread> clients;
    std::atomic<int> small{0};
    for (int i = 0; i < 4; ++i) {
      clients.emplace_back([&] {
        auto res = api.request(r.method, r.target, {{"Content-Type", "application/json"}}, body);
        if (res.status >= 400 && res.status < 500 && res.body.size() < 8192) small++;
      });
    }
    for (auto& c : clients) c.join();
    CHECK(small == 4);
  }
  health.finish();
  std::size_t rss_after = keel::test::status_kib(api.proc().pid());
  WARN("sent " << sent << " worst bodies to " << routes.size() << " JSON routes; slowest "
               << slowest_ms << " ms (" << slowest << "); /health slowest " << health.slowest_ms()
               << " ms over " << health.samples() << " checks; RSS " << rss_before / 1024
               << " MiB -> " << rss_after / 1024 << " MiB");
  CHECK(health.failures() == 0);
  CHECK(health.samples() > 10);
  CHECK(health.slowest_ms() < 500);
  // Before the caps, four such bodies took RSS to 842 MB.
  CHECK(rss_after < rss_before + 200 * 1024);
  CHECK(api.proc().running());
}
