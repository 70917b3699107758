// /health, /ready, /metrics, /openapi.json, /docs, headers and shutdown of the real keel-api.
#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "../support/api_server.hpp"
#include "../support/database.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

TEST_CASE("/health answers ok with the security headers on") {
  api_server api;
  auto r = api.get("/health");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("status").as_string() == "ok");
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("x-frame-options") == "DENY");
  CHECK(r.header("referrer-policy") == "no-referrer");
  CHECK(r.header("cache-control") == "no-store");
  CHECK_FALSE(r.has_header("strict-transport-security"));
}

TEST_CASE("errors carry the security headers too, and HSTS when configured") {
  api_server api(env_vars{{"HSTS", "true"}});
  auto r = api.get("/api/v1/missing");
  CHECK(r.status == 404);
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("strict-transport-security").find("max-age=") != std::string::npos);
}

TEST_CASE("/ready is 503 while PostgreSQL is stopped and 200 once it is back", "[serial]") {
  api_server api;
  REQUIRE(api.get("/ready").status == 200);
  stop_postgres();
  auto down = api.get("/ready");
  start_postgres();
  expect_problem(down, 503, "not_ready");
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = api.get("/ready").status == 200;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(back);
  // Each event loop has its own connections, each reconnecting on its own backoff: a request
  // landing on another loop may see its connection still coming back for a moment.
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = api.get("/api/v1/templates/consensus").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
}

TEST_CASE("/metrics counts requests by route pattern, method and status") {
  api_server api;
  api.get("/api/v1/templates/consensus");
  api.get("/api/v1/templates/consensus");
  api.get("/api/v1/templates/nope");
  auto r = api.get("/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("text/plain", 0) == 0);
  const auto& m = r.body;
  INFO(m);
  CHECK(
      m.find(
          R"(keel_http_requests_total{route="/api/v1/templates/{slug}",method="GET",status="200"} 2)") !=
      std::string::npos);
  CHECK(
      m.find(
          R"(keel_http_requests_total{route="/api/v1/templates/{slug}",method="GET",status="404"} 1)") !=
      std::string::npos);
  CHECK(m.find("keel_http_request_duration_seconds_bucket") != std::string::npos);
  CHECK(m.find("keel_db_pool_connections") != std::string::npos);
  CHECK(m.find("/api/v1/templates/nope") == std::string::npos);  // raw paths never become labels
}

TEST_CASE("/openapi.json documents every API route with its schemas") {
  api_server api;
  auto r = api.get("/openapi.json");
  REQUIRE(r.status == 200);
  auto doc = r.json().as_object();
  CHECK(doc.at("openapi").as_string().starts_with("3.1"));
  auto& paths = doc.at("paths").as_object();
  CHECK(paths.contains("/api/v1/templates"));
  CHECK(paths.contains("/api/v1/templates/{slug}"));
  CHECK(paths.contains("/api/v1/methods"));
  CHECK(paths.contains("/health"));
  auto& schemas = doc.at("components").at("schemas").as_object();
  CHECK(schemas.contains("Template"));
  CHECK(schemas.contains("SectionsDocument"));
  auto docs = api.get("/docs");
  CHECK(docs.status == 200);
  CHECK(docs.header("content-type").rfind("text/html", 0) == 0);
}

TEST_CASE("/openapi.json states every operation's security from its route's declaration") {
  api_server api;
  auto doc = api.get("/openapi.json").json();
  boost::json::array none;
  boost::json::array bearer{boost::json::object{{"bearer", boost::json::array{}}}};
  auto security = [&](const char* path, const char* verb) {
    return doc.at("paths").at(path).at(verb).at("security");
  };
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [verb, op] : item.as_object()) {
      INFO(verb << " " << path);
      CHECK(op.as_object().contains("security"));
    }
  }
  CHECK(security("/health", "get") == none);
  CHECK(security("/api/v1/templates", "get") == none);
  CHECK(security("/api/v1/auth/login", "post") == none);
  CHECK(security("/api/v1/auth/me", "get") == bearer);
  CHECK(security("/api/v1/auth/sessions/{id}", "delete") == bearer);
  CHECK(security("/api/v1/admin/jobs/{id}/retry", "post") == bearer);
  // Logout takes a token when the client has one, and a refresh token alone otherwise.
  auto logout = security("/api/v1/auth/logout", "post").as_array();
  REQUIRE(logout.size() == 2);
  CHECK(logout[1] == boost::json::object{});
  // Access and limits imply their answers.
  auto admin = doc.at("paths").at("/api/v1/admin/users").at("get").at("responses").as_object();
  CHECK(admin.contains("401"));
  CHECK(admin.contains("403"));
  CHECK(admin.contains("429"));
}

TEST_CASE("CORS answers only the allowed origins, and never with a wildcard") {
  api_server api(env_vars{{"CORS_ORIGINS", "https://app.example"}});
  auto allowed = api.get("/health", {{"Origin", "https://app.example"}});
  CHECK(allowed.header("access-control-allow-origin") == "https://app.example");
  CHECK(allowed.header("vary").find("Origin") != std::string::npos);
  auto other = api.get("/health", {{"Origin", "https://evil.example"}});
  CHECK_FALSE(other.has_header("access-control-allow-origin"));
  auto preflight = api.request("OPTIONS", "/api/v1/auth/password/forgot",
                               {{"Origin", "https://app.example"},
                                {"Access-Control-Request-Method", "POST"},
                                {"Access-Control-Request-Headers", "content-type"}});
  CHECK(preflight.status == 204);
  CHECK(preflight.header("access-control-allow-origin") == "https://app.example");
  CHECK(preflight.header("access-control-allow-methods").find("POST") != std::string::npos);
}

TEST_CASE("SIGTERM drains the server and it exits 0") {
  api_server api;
  http_client keep_alive(api.port());
  REQUIRE(keep_alive.get("/health").status == 200);
  api.proc().signal(SIGTERM);
  auto status = api.proc().wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(api.proc().output().find("stopped") != std::string::npos);
}

TEST_CASE("SIGTERM lets an in-flight request finish before the process exits") {
  api_server api;
  http_client in_flight(api.port());
  std::string body = R"({"email": "someone.who.forgot@example.com"})";
  // Headers and half the body are in when the signal arrives; the rest comes after it.
  in_flight.send_raw(
      "POST /api/v1/auth/password/forgot HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  api.proc().signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(api.proc().running());
  CHECK_THROWS(http_client(api.port()));  // no new connections while draining
  in_flight.send_raw(body.substr(20));
  auto r = in_flight.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 202);  // the route's own answer: the request ran to its end
  CHECK(r->header("connection") == "close");
  auto status = api.proc().wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("an invalid configuration exits 2 naming every problem") {
  process p(binary("keel-api"), {},
            {{"DATABASE_URL", ""}, {"PORT", "99999"}, {"LOG_LEVEL", "loud"}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  auto out = p.output();
  CHECK(out.find("DATABASE_URL") != std::string::npos);
  CHECK(out.find("PORT") != std::string::npos);
  CHECK(out.find("LOG_LEVEL") != std::string::npos);
}

TEST_CASE("--help lists the variables and hides secret values") {
  for (const char* name : {"keel-api", "keel-worker", "keel-cron"}) {
    process p(binary(name), {"--help"}, {{"DATABASE_URL", "postgresql://u:hunter2@h/db"}});
    REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
    auto out = p.output();
    INFO(name << "\n" << out);
    CHECK(out.find("usage:") != std::string::npos);
    CHECK(out.find("DATABASE_URL") != std::string::npos);
    CHECK(out.find("hunter2") == std::string::npos);
  }
}
