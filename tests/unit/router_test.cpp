// The router: static beats parameter, 404 vs 405 with Allow, HEAD falls back to GET.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "core/http/request.hpp"
#include "core/http/router.hpp"

using keel::http::method;
using keel::http::route;
using keel::http::router;

namespace {

route make(method m, std::string path) {
  route r;
  r.verb = m;
  r.path = std::move(path);
  return r;
}

router sample() {
  router r;
  r.add(make(method::get, "/health"));
  r.add(make(method::get, "/"));
  r.add(make(method::get, "/api/v1/templates"));
  r.add(make(method::post, "/api/v1/templates"));
  r.add(make(method::get, "/api/v1/templates/{slug}"));
  r.add(make(method::delete_, "/api/v1/templates/{slug}"));
  r.add(make(method::get, "/api/v1/templates/new"));
  r.add(make(method::get, "/api/v1/templates/new/x"));
  r.add(make(method::get, "/api/v1/templates/{id}/versions/{version}"));
  return r;
}

}  // namespace

TEST_CASE("router matches a static path") {
  auto r = sample();
  auto m = r.find(method::get, "/health");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->path == "/health");
  CHECK(m.params.empty());
  auto root = r.find(method::get, "/");
  REQUIRE(root.found != nullptr);
  CHECK(root.found->path == "/");
}

TEST_CASE("router captures path parameters by the route's names") {
  auto r = sample();
  std::string path = "/api/v1/templates/welcome-mail";
  auto m = r.find(method::get, path);
  REQUIRE(m.found != nullptr);
  CHECK(m.found->path == "/api/v1/templates/{slug}");
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0].first == "slug");
  CHECK(m.params[0].second == "welcome-mail");

  std::string nested = "/api/v1/templates/abc/versions/7";
  auto n = r.find(method::get, nested);
  REQUIRE(n.found != nullptr);
  REQUIRE(n.params.size() == 2);
  CHECK(n.params[0] == std::pair<std::string_view, std::string_view>{"id", "abc"});
  CHECK(n.params[1] == std::pair<std::string_view, std::string_view>{"version", "7"});
}

TEST_CASE("router prefers a static segment over a parameter") {
  auto r = sample();
  auto m = r.find(method::get, "/api/v1/templates/new");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->path == "/api/v1/templates/new");
  CHECK(m.params.empty());
}

TEST_CASE("router backtracks from a static segment to a parameter") {
  auto r = sample();
  // "new" is static, but only the parameter branch continues with "versions/1".
  auto m = r.find(method::get, "/api/v1/templates/new/versions/1");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->path == "/api/v1/templates/{id}/versions/{version}");
  REQUIRE(m.params.size() == 2);
  CHECK(m.params[0].second == "new");
}

TEST_CASE("router answers an unknown path with no route and no Allow") {
  auto r = sample();
  for (auto path : {"/nope", "/health/", "/api/v1/templates/", "/api/v1", "", "health",
                    "/api/v1/templates/a/b"}) {
    auto m = r.find(method::get, path);
    CHECK(m.found == nullptr);
    CHECK(m.allowed.empty());
    CHECK(m.params.empty());
  }
}

TEST_CASE("router answers a known path with another method with the Allow list") {
  auto r = sample();
  auto m = r.find(method::put, "/api/v1/templates/x");
  CHECK(m.found == nullptr);
  CHECK(m.allowed == "GET, HEAD, DELETE");
  auto list = r.find(method::delete_, "/api/v1/templates");
  CHECK(list.found == nullptr);
  CHECK(list.allowed == "GET, HEAD, POST");
}

TEST_CASE("router lets HEAD fall back to the GET route") {
  auto r = sample();
  auto m = r.find(method::head, "/health");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->verb == method::get);
  auto none = r.find(method::head, "/api/v1/templates/x/versions");
  CHECK(none.found == nullptr);
}

TEST_CASE("router prefers an explicit HEAD route over GET") {
  router r;
  r.add(make(method::get, "/file"));
  r.add(make(method::head, "/file"));
  auto m = r.find(method::head, "/file");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->verb == method::head);
}

TEST_CASE("router rejects a duplicate method and path") {
  auto r = sample();
  CHECK_THROWS_AS(r.add(make(method::get, "/health")), std::logic_error);
  // Parameter names do not make two patterns different.
  CHECK_THROWS_AS(r.add(make(method::get, "/api/v1/templates/{other}")), std::logic_error);
  CHECK_THROWS_AS(r.add(make(method::get, "no-slash")), std::logic_error);
  // The router still works after a rejected add.
  CHECK(r.find(method::get, "/health").found != nullptr);
}

TEST_CASE("router finds each of many routes after the vector grew") {
  router r;
  r.add(make(method::get, "/a"));
  for (int i = 0; i < 100; ++i) r.add(make(method::get, "/r" + std::to_string(i)));
  auto m = r.find(method::get, "/r57");
  REQUIRE(m.found != nullptr);
  CHECK(m.found->path == "/r57");
  CHECK(r.find(method::get, "/a").found->path == "/a");
}

TEST_CASE("a copied router matches its own routes and is independent") {
  auto original = sample();
  router copy = original;
  copy.add(make(method::get, "/only-in-copy"));
  CHECK(copy.find(method::get, "/only-in-copy").found != nullptr);
  CHECK(original.find(method::get, "/only-in-copy").found == nullptr);
  auto m = copy.find(method::get, "/health");
  REQUIRE(m.found != nullptr);
  CHECK(m.found == &copy.routes()[0]);
}
