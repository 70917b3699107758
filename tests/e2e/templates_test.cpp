// The governance catalog over HTTP (templates and methods) against the real keel-api and its
// seeded database.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../support/api_server.hpp"
#include "expect_problem.hpp"

using namespace keel::test;

namespace {

std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

// Every page of a list, following next_cursor; `target` already has its query started.
std::vector<boost::json::object> all_pages(api_server& api, const std::string& target,
                                           int* pages = nullptr) {
  std::vector<boost::json::object> out;
  std::string next = target;
  for (int page = 1;; ++page) {
    auto r = api.get(next);
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto body = r.json().as_object();
    for (auto& t : body.at("data").as_array()) out.push_back(t.as_object());
    if (pages) *pages = page;
    if (body.at("next_cursor").is_null()) break;
    next = target + "&cursor=" + str(body.at("next_cursor"));
    REQUIRE(page < 20);
  }
  return out;
}

std::vector<std::string> slugs_of(const std::vector<boost::json::object>& list) {
  std::vector<std::string> out;
  for (auto& t : list) out.push_back(str(t.at("slug")));
  return out;
}

// The curated order of all thirteen: featured first, then sort_order (titles never tie here).
const std::vector<std::string> curated = {"consensus",
                                          "do-ocracy",
                                          "quadratic-governance",
                                          "devolution",
                                          "consensus-clusters",
                                          "elected-board",
                                          "petition",
                                          "solidarity-network",
                                          "sortition-jury",
                                          "liquid-democracy",
                                          "federated-clusters",
                                          "benevolent-dictator",
                                          "self-appointed-board"};

std::size_t curated_rank(const std::string& slug) {
  return static_cast<std::size_t>(std::find(curated.begin(), curated.end(), slug) -
                                  curated.begin());
}

// The methods route's answer for one section, by slug.
std::map<std::string, boost::json::object> methods_by_slug(api_server& api,
                                                           const std::string& section,
                                                           const std::string& facets) {
  auto r = api.get("/api/v1/methods?section=" + section + facets);
  INFO(r.body);
  REQUIRE(r.status == 200);
  std::map<std::string, boost::json::object> out;
  auto body = r.json();
  for (auto& m : body.at("data").as_array()) out[str(m.at("slug"))] = m.as_object();
  return out;
}

void expect_field_error(const http_response& r, const std::string& field) {
  expect_problem(r, 422, "validation_failed");
  bool named = false;
  auto body = r.json();
  for (auto& e : body.at("errors").as_array()) named = named || str(e.at("field")) == field;
  INFO(r.body);
  CHECK(named);
}

}  // namespace

TEST_CASE("listing templates pages through all thirteen, featured first, with cursors") {
  api_server api;
  int pages = 0;
  auto list = all_pages(api, "/api/v1/templates?limit=5", &pages);
  CHECK(pages == 3);
  CHECK(slugs_of(list) == curated);
  for (std::size_t i = 0; i < list.size(); ++i) {
    INFO(str(list[i].at("slug")));
    CHECK(list[i].at("featured").as_bool() == (i < 4));
    CHECK(list[i].at("score").as_int64() == 0);
    CHECK(list[i].at("matched_facets").as_array().empty());
    CHECK_FALSE(list[i].contains("document"));
  }
  // One page of everything is the same list.
  auto one = api.get("/api/v1/templates?limit=100");
  REQUIRE(one.status == 200);
  CHECK(one.json().at("data").as_array().size() == 13);
  CHECK(one.json().at("next_cursor").is_null());
}

TEST_CASE("a template's body is made of catalog methods, entries titled by their labels") {
  api_server api;
  auto r = api.get("/api/v1/templates/consensus-clusters");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("application/json", 0) == 0);
  auto t = r.json().as_object();
  CHECK(str(t.at("title")) == "Circles");
  CHECK(str(t.at("category")) == "consensus");
  CHECK(t.at("featured").as_bool() == false);
  CHECK(str(t.at("created_at")).back() == 'Z');
  CHECK(str(t.at("description")).size() > 40);

  const std::vector<std::pair<std::string, std::string>> sections = {
      {"core_values", "Values"},
      {"communication", "Communication"},
      {"membership", "Membership"},
      {"decision_making", "Decision-making"},
      {"conflict_management", "Conflict management"}};
  auto& body_sections = t.at("body").at("sections").as_array();
  REQUIRE(body_sections.size() == sections.size());
  auto& methods = t.at("methods").as_array();
  std::size_t next_method = 0;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    auto& [section, category_name] = sections[i];
    auto& s = body_sections[i].as_object();
    CHECK(str(s.at("category_name")) == category_name);
    auto& entries = s.at("entries").as_array();
    CHECK(entries.size() >= 2);
    CHECK(entries.size() <= 3);
    auto catalog = methods_by_slug(api, section, "");
    // The methods list names the same methods, in the body's order.
    for (auto& entry : entries) {
      REQUIRE(next_method < methods.size());
      auto& ref = methods[next_method++].as_object();
      CHECK(str(ref.at("section")) == section);
      REQUIRE(catalog.contains(str(ref.at("slug"))));
      const auto& method = catalog.at(str(ref.at("slug")));
      CHECK(entry.at("title") == method.at("label"));
      CHECK(entry.at("body") == method.at("description"));
    }
  }
  CHECK(next_method == methods.size());
}

TEST_CASE(
    "every seeded template has the contract's title, featured flag and 2 to 3 methods a section") {
  api_server api;
  const std::map<std::string, std::pair<std::string, bool>> expected = {
      {"consensus-clusters", {"Circles", false}},
      {"consensus", {"Consensus", true}},
      {"elected-board", {"Elected board", false}},
      {"petition", {"Petition", false}},
      {"solidarity-network", {"Solidarity network", false}},
      {"sortition-jury", {"Sortition jury", false}},
      {"liquid-democracy", {"Liquid democracy", false}},
      {"do-ocracy", {"Do-ocracy", true}},
      {"quadratic-governance", {"Quadratic governance", true}},
      {"federated-clusters", {"Federated clusters", false}},
      {"devolution", {"Devolution", true}},
      {"benevolent-dictator", {"Benevolent dictator", false}},
      {"self-appointed-board", {"Self-appointed board", false}}};
  for (auto& [slug, title_featured] : expected) {
    auto r = api.get("/api/v1/templates/" + slug);
    INFO(slug << " " << r.body);
    REQUIRE(r.status == 200);
    auto t = r.json().as_object();
    CHECK(str(t.at("title")) == title_featured.first);
    CHECK(t.at("featured").as_bool() == title_featured.second);
    std::map<std::string, int> per_section;
    for (auto& m : t.at("methods").as_array()) ++per_section[str(m.at("section"))];
    for (auto section : {"communication", "membership", "decision_making", "conflict_management"}) {
      CHECK(per_section[section] >= 2);
      CHECK(per_section[section] <= 3);
    }
  }
}

TEST_CASE("the category filter returns only that category, in curated order") {
  api_server api;
  auto r = api.get("/api/v1/templates?category=decentralized");
  REQUIRE(r.status == 200);
  std::vector<std::string> slugs;
  auto body = r.json();
  for (auto& t : body.at("data").as_array()) {
    CHECK(str(t.at("category")) == "decentralized");
    slugs.push_back(str(t.at("slug")));
  }
  CHECK(slugs == std::vector<std::string>{"do-ocracy", "devolution", "solidarity-network",
                                          "federated-clusters"});
  CHECK(r.json().at("next_cursor").is_null());
  auto none = api.get("/api/v1/templates?category=no-such-category");
  REQUIRE(none.status == 200);
  CHECK(none.json().at("data").as_array().empty());
}

TEST_CASE("facets rank templates by the summed scores of their methods, ties in curated order") {
  api_server api;
  const std::string facets = "&size=over_one_hundred&org_type=dao&scale=global";
  auto list = all_pages(api, "/api/v1/templates?limit=4" + facets);
  REQUIRE(list.size() == 13);

  // The score a template gets is what the methods route says of its methods, added up.
  std::map<std::string, std::map<std::string, boost::json::object>> catalog;
  for (auto section :
       {"core_values", "communication", "membership", "decision_making", "conflict_management"}) {
    catalog[section] = methods_by_slug(api, section, facets);
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& t = list[i];
    std::string slug = str(t.at("slug"));
    INFO(slug);
    auto detail = api.get("/api/v1/templates/" + slug).json();
    std::int64_t sum = 0;
    std::set<std::string> matched_by_methods;
    for (auto& ref : detail.at("methods").as_array()) {
      const auto& m = catalog.at(str(ref.at("section"))).at(str(ref.at("slug")));
      sum += m.at("score").as_int64();
      for (auto& f : m.at("matched_facets").as_array()) {
        matched_by_methods.insert(str(f.at("group")) + "=" + str(f.at("value")));
      }
    }
    CHECK(t.at("score").as_int64() == sum);
    std::set<std::string> matched;
    for (auto& f : t.at("matched_facets").as_array()) {
      matched.insert(str(f.at("group")) + "=" + str(f.at("value")));
    }
    CHECK(matched == matched_by_methods);
    if (i > 0) {
      const auto& before = list[i - 1];
      auto s0 = before.at("score").as_int64();
      auto s1 = t.at("score").as_int64();
      CHECK(s0 >= s1);
      if (s0 == s1) CHECK(curated_rank(str(before.at("slug"))) < curated_rank(slug));
    }
  }
  // The facets change the order: a DAO-shaped community is not shown the curated order.
  CHECK(slugs_of(list) != curated);
  CHECK(str(list.front().at("slug")) == "quadratic-governance");
}

TEST_CASE("matched_facets lists the facets asked for in the order they were asked") {
  api_server api;
  auto r = api.get("/api/v1/templates?size=two_to_five&org_type=mutual_aid&limit=1");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto body = r.json();
  auto& top = body.at("data").at(0);
  auto& matched = top.at("matched_facets").as_array();
  REQUIRE(matched.size() == 2);
  CHECK(str(matched[0].at("group")) == "size");
  CHECK(str(matched[0].at("value")) == "two_to_five");
  CHECK(str(matched[1].at("group")) == "org_type");
  CHECK(str(matched[1].at("value")) == "mutual_aid");
}

TEST_CASE("a repeated facet value counts once and several values of a group all count") {
  api_server api;
  auto once = methods_by_slug(api, "membership", "&size=one_member");
  auto twice = methods_by_slug(api, "membership", "&size=one_member&size=one_member");
  for (auto& [slug, m] : once) CHECK(twice.at(slug).at("score") == m.at("score"));
  auto both = methods_by_slug(api, "membership", "&size=one_member&size=two_to_five");
  // invitation-only suits both sizes; open-access neither.
  CHECK(both.at("invitation-only").at("score").as_int64() == 2);
  CHECK(both.at("open-access").at("score").as_int64() == 0);
  CHECK(both.at("open-access").at("matched_facets").as_array().empty());
}

TEST_CASE("methods of a section are ranked by score, ties in catalog order") {
  api_server api;
  // No facets: every method scores 0 and the catalog order stands.
  for (auto [section, at_least] :
       std::vector<std::pair<std::string, std::size_t>>{{"communication", 10},
                                                        {"membership", 10},
                                                        {"decision_making", 10},
                                                        {"conflict_management", 10},
                                                        {"core_values", 20}}) {
    auto r = api.get("/api/v1/methods?section=" + section);
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto body = r.json();
    CHECK(str(body.at("section")) == section);
    auto& data = body.at("data").as_array();
    CHECK(data.size() >= at_least);
    for (auto& m : data) {
      CHECK(m.at("score").as_int64() == 0);
      CHECK(m.at("matched_facets").as_array().empty());
      CHECK(str(m.at("label")).size() > 0);
      CHECK(str(m.at("description")).size() > 20);
    }
  }

  auto plain = api.get("/api/v1/methods?section=decision_making").json().at("data").as_array();
  std::map<std::string, std::size_t> catalog_order;
  for (std::size_t i = 0; i < plain.size(); ++i) catalog_order[str(plain[i].at("slug"))] = i;

  auto r = api.get(
      "/api/v1/"
      "methods?section=decision_making&size=one_member&org_type=for_profit&maturity=early_stage");
  REQUIRE(r.status == 200);
  auto body = r.json();
  auto& ranked = body.at("data").as_array();
  REQUIRE(ranked.size() == plain.size());
  CHECK(str(ranked.at(0).at("slug")) != str(plain.at(0).at("slug")));
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    auto& m = ranked[i];
    CHECK(m.at("score").as_int64() ==
          static_cast<std::int64_t>(m.at("matched_facets").as_array().size()));
    if (i > 0) {
      auto s0 = ranked[i - 1].at("score").as_int64();
      auto s1 = m.at("score").as_int64();
      CHECK(s0 >= s1);
      if (s0 == s1) {
        CHECK(catalog_order.at(str(ranked[i - 1].at("slug"))) <
              catalog_order.at(str(m.at("slug"))));
      }
    }
  }
  // A one-person company starting out: the benevolent dictator suits all three facets.
  CHECK(str(ranked.at(0).at("slug")) == "benevolent-dictator");
  CHECK(ranked.at(0).at("score").as_int64() == 3);
}

TEST_CASE("an unknown facet value, facet group or section is a 422 naming it") {
  api_server api;
  expect_field_error(api.get("/api/v1/templates?size=huge"), "size[0]");
  expect_field_error(api.get("/api/v1/templates?size=two_to_five&size=tiny"), "size[1]");
  expect_field_error(api.get("/api/v1/templates?org_type=club"), "org_type[0]");
  expect_field_error(api.get("/api/v1/templates?colour=blue"), "colour");
  expect_field_error(api.get("/api/v1/templates?sizes=two_to_five"), "sizes");
  expect_field_error(api.get("/api/v1/methods?section=communication&maturity=ancient"),
                     "maturity[0]");
  expect_field_error(api.get("/api/v1/methods?section=communication&region=local"), "region");
  expect_field_error(api.get("/api/v1/methods?section=governance"), "section");
  expect_field_error(api.get("/api/v1/methods"), "section");
  std::string many = "/api/v1/templates?scale=local";
  for (int i = 0; i < 11; ++i) many += "&scale=local";
  expect_field_error(api.get(many), "scale");
}

TEST_CASE("an unknown template slug is a 404 problem") {
  api_server api;
  expect_problem(api.get("/api/v1/templates/no-such-template"), 404, "template_not_found");
  // The automation-rule templates are gone.
  expect_problem(api.get("/api/v1/templates/weekly-digest"), 404, "template_not_found");
}

TEST_CASE("out-of-range paging parameters are 422 problems naming the field") {
  api_server api;
  expect_field_error(api.get("/api/v1/templates?limit=0"), "limit");
  expect_field_error(api.get("/api/v1/templates?limit=-5"), "limit");
  expect_field_error(api.get("/api/v1/templates?limit=101"), "limit");
  expect_field_error(api.get("/api/v1/templates?limit=ten"), "limit");
  expect_field_error(api.get("/api/v1/templates?cursor=not-a-cursor"), "cursor");
  expect_field_error(api.get("/api/v1/templates?category=Not%20A%20Slug"), "category");
}

TEST_CASE("the automation rule validator is gone") {
  api_server api;
  auto r = api.request("POST", "/api/v1/rules/validate", {{"Content-Type", "application/json"}},
                       R"({"trigger": {"event": "order.created"}, "actions": []})");
  // /api/v1/rules/{id} exists now (published rules), so the path is a rule id that takes no POST.
  expect_problem(r, 405, "method_not_allowed");
  expect_problem(api.get("/api/v1/rules/validate"), 404, "rule_not_found");
}

TEST_CASE("the OpenAPI document lists the facet parameters as repeatable enums") {
  api_server api;
  auto doc = api.get("/openapi.json").json();
  for (auto path : {"/api/v1/templates", "/api/v1/methods"}) {
    INFO(path);
    auto& params = doc.at("paths").at(path).at("get").at("parameters").as_array();
    bool size_found = false;
    for (auto& p : params) {
      if (str(p.at("name")) != "size") continue;
      size_found = true;
      CHECK(str(p.at("in")) == "query");
      CHECK(p.at("required").as_bool() == false);
      CHECK(str(p.at("schema").at("type")) == "array");
      auto& values = p.at("schema").at("items").at("enum").as_array();
      CHECK(values.size() == 5);
      CHECK(str(values.at(0)) == "one_member");
    }
    CHECK(size_found);
  }
  auto& schemas = doc.at("components").at("schemas").as_object();
  CHECK(schemas.contains("TemplateDetail"));
  CHECK(schemas.contains("MethodList"));
  CHECK(schemas.at("Template").at("properties").as_object().contains("body"));
}
