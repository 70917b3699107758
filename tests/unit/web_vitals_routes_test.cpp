// Web vitals route patterns: page paths to a bounded set of labels, and WEB_VITALS_ROUTES.
#include <catch2/catch.hpp>
#include <string>

#include "api/settings.hpp"
#include "core/runtime/config.hpp"
#include "core/web_vitals/route_patterns.hpp"

using keel::web_vitals::route_patterns;

TEST_CASE("route patterns match literal segments and one segment per parameter") {
  route_patterns p({"/", "/rules/:id", "/templates/:slug", "/templates"});
  CHECK(p.match("/") == "/");
  CHECK(p.match("") == "other");
  CHECK(p.match("/rules/0192f3a1") == "/rules/:id");
  CHECK(p.match("/rules/0192f3a1/") == "/rules/:id");  // a trailing slash is ignored
  CHECK(p.match("/rules") == "other");                 // a parameter needs its segment
  CHECK(p.match("/rules/a/b") == "other");             // and only one
  CHECK(p.match("/rules//") == "other");
  CHECK(p.match("/templates") == "/templates");
  CHECK(p.match("/templates/consensus") == "/templates/:slug");
  CHECK(p.match("/Templates/consensus") == "other");  // literals are case-sensitive
}

TEST_CASE("a final star matches the rest of the path and nothing") {
  route_patterns p({"/create/*", "/*"});
  CHECK(p.match("/create") == "/create/*");
  CHECK(p.match("/create/community/values") == "/create/*");
  CHECK(p.match("/created") == "/*");
  CHECK(p.match("/") == "/*");
}

TEST_CASE("the query string and fragment are ignored and the first match wins") {
  route_patterns p({"/rules/new", "/rules/:id"});
  CHECK(p.match("/rules/new?from=template") == "/rules/new");
  CHECK(p.match("/rules/42#stakeholders") == "/rules/:id");
  CHECK(p.match("/rules/42?x=/rules/new") == "/rules/:id");
  CHECK(p.match("/?q=1") == "other");
}

TEST_CASE("a path that is not absolute or matches nothing is other") {
  route_patterns p({"/rules/:id"});
  CHECK(p.match("rules/1") == "other");
  CHECK(p.match("https://example.org/rules/1") == "other");
  CHECK(p.match("/unknown/place") == "other");
  CHECK(route_patterns({}).match("/") == "other");
}

TEST_CASE("malformed patterns are refused and never match") {
  CHECK_FALSE(route_patterns::problem("/"));
  CHECK_FALSE(route_patterns::problem("/rules/:id"));
  CHECK_FALSE(route_patterns::problem("/create/*"));
  CHECK(route_patterns::problem("rules"));
  CHECK(route_patterns::problem("/a/*/b"));
  CHECK(route_patterns::problem("/a*"));
  CHECK(route_patterns::problem("/a//b"));
  CHECK(route_patterns::problem("/a/:"));
  CHECK(route_patterns::problem("/a?b=1"));
  CHECK(route_patterns::problem("/a\"b"));
  route_patterns p({"/a/*/b", "/ok"});
  CHECK(p.match("/a/x/b") == "other");
  CHECK(p.match("/ok") == "/ok");
}

TEST_CASE("WEB_VITALS_ROUTES is read as a list and a bad pattern stops the program") {
  auto env = [](std::string routes) -> keel::runtime::env_lookup {
    return [routes = std::move(routes)](std::string_view name) -> std::optional<std::string> {
      if (name == "DATABASE_URL") return "postgresql://u@h/db";
      if (name == "JWT_SIGNING_KEYS") return "k1:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8";
      if (name == "WEB_VITALS_ROUTES") return routes;
      return std::nullopt;
    };
  };
  auto cfg = keel::runtime::load_config<keel::api::settings>(env(" /, /rules/:id ,/create/*"));
  CHECK(cfg.web_vitals.routes == std::vector<std::string>{"/", "/rules/:id", "/create/*"});
  try {
    keel::runtime::load_config<keel::api::settings>(env("/,rules,/a/*/b"));
    FAIL("expected config_error");
  } catch (const keel::runtime::config_error& e) {
    CHECK(e.problems().size() == 2);
    CHECK(std::string(e.what()).find("WEB_VITALS_ROUTES pattern \"rules\"") != std::string::npos);
  }
}
