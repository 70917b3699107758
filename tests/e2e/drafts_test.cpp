// One draft per user against the real keel-api: ETag and If-Match, create-only, concurrent
// saves, the document limits, and who may touch it.
#include <set>
#include <thread>

#include "rules_stack.hpp"

using keel::test::expect_problem;
using keel::test::http_response;
using keel::test::names_field;
using keel::test::rules_stack;

namespace {

boost::json::object draft_of(const std::string& name) {
  return {{"payload",
           boost::json::object{{"community", boost::json::object{{"name", name}}}, {"step", 3}}}};
}

}  // namespace

TEST_CASE("a draft is created, read with its ETag, replaced under If-Match and deleted",
          "[rules][drafts]") {
  rules_stack s;
  auto ada = s.sign_in();

  expect_problem(s.send("GET", "/api/v1/drafts/me", &ada), 404, "draft_not_found");

  auto first = draft_of("Garden club");
  auto created = s.send("PUT", "/api/v1/drafts/me", &ada, &first, {{"If-None-Match", "*"}});
  INFO(created.body);
  REQUIRE(created.status == 200);
  CHECK(created.json().at("version").as_int64() == 1);
  std::string etag = created.header("etag");
  CHECK(etag == "\"1\"");

  // Create-only refuses when there is one already.
  expect_problem(s.send("PUT", "/api/v1/drafts/me", &ada, &first, {{"If-None-Match", "*"}}), 412,
                 "draft_changed");

  auto read = s.send("GET", "/api/v1/drafts/me", &ada);
  REQUIRE(read.status == 200);
  CHECK(read.header("etag") == etag);
  CHECK(read.json().at("payload").at("community").at("name").as_string() == "Garden club");

  auto second = draft_of("Garden co-op");
  auto saved = s.send("PUT", "/api/v1/drafts/me", &ada, &second, {{"If-Match", etag}});
  REQUIRE(saved.status == 200);
  CHECK(saved.header("etag") == "\"2\"");

  // The tab still holding version 1 cannot overwrite version 2.
  expect_problem(s.send("PUT", "/api/v1/drafts/me", &ada, &first, {{"If-Match", etag}}), 412,
                 "draft_changed");
  expect_problem(s.send("PUT", "/api/v1/drafts/me", &ada, &first, {{"If-Match", "garbage"}}), 412,
                 "draft_changed");
  CHECK(s.send("GET", "/api/v1/drafts/me", &ada).json().at("payload").at("community").at("name") ==
        "Garden co-op");

  // Without a precondition the last save wins (a client that does not care).
  CHECK(s.send("PUT", "/api/v1/drafts/me", &ada, &first).header("etag") == "\"3\"");

  CHECK(s.send("DELETE", "/api/v1/drafts/me", &ada).status == 204);
  CHECK(s.send("DELETE", "/api/v1/drafts/me", &ada).status == 204);
  expect_problem(s.send("GET", "/api/v1/drafts/me", &ada), 404, "draft_not_found");
}

TEST_CASE("drafts belong to their user and need a signed-in caller", "[rules][drafts]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  auto body = draft_of("Ada's");
  REQUIRE(s.send("PUT", "/api/v1/drafts/me", &ada, &body).status == 200);
  expect_problem(s.send("GET", "/api/v1/drafts/me", &bob), 404, "draft_not_found");
  expect_problem(s.send("GET", "/api/v1/drafts/me", nullptr), 401, "unauthorized");
  expect_problem(s.send("PUT", "/api/v1/drafts/me", nullptr, &body), 401, "unauthorized");
  expect_problem(s.send("DELETE", "/api/v1/drafts/me", nullptr), 401, "unauthorized");
  // Bob's delete leaves Ada's draft alone.
  CHECK(s.send("DELETE", "/api/v1/drafts/me", &bob).status == 204);
  CHECK(s.send("GET", "/api/v1/drafts/me", &ada).status == 200);
}

TEST_CASE("two concurrent saves from the same version: exactly one wins, the other is 412",
          "[rules][drafts]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto body = draft_of("start");
  auto start = s.send("PUT", "/api/v1/drafts/me", &ada, &body);
  REQUIRE(start.status == 200);
  std::string etag = start.header("etag");

  for (int round = 0; round < 5; ++round) {
    INFO("round " << round);
    http_response a;
    http_response b;
    auto one = draft_of("tab one");
    auto two = draft_of("tab two");
    std::thread t1([&] {
      a = s.send("PUT", "/api/v1/drafts/me", &ada, &one, {{"If-Match", etag}});
    });
    std::thread t2([&] {
      b = s.send("PUT", "/api/v1/drafts/me", &ada, &two, {{"If-Match", etag}});
    });
    t1.join();
    t2.join();
    INFO(a.body << " / " << b.body);
    CHECK(((a.status == 200 && b.status == 412) || (a.status == 412 && b.status == 200)));
    const auto& winner = a.status == 200 ? a : b;
    etag = winner.header("etag");
    // What is stored is the winner's payload.
    auto read = s.send("GET", "/api/v1/drafts/me", &ada);
    CHECK(read.json().at("payload") == winner.json().at("payload"));
  }
}

TEST_CASE("a draft is held to the document limits, each a 422 naming its path", "[rules][drafts]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto put = [&](const std::string& raw) {
    return s.api.request(
        "PUT", "/api/v1/drafts/me",
        {{"Authorization", "Bearer " + ada.token}, {"Content-Type", "application/json"}}, raw);
  };

  auto reserved = put(R"({"payload": {"a": {"__proto__": 1}}})");
  expect_problem(reserved, 422, "validation_failed");
  CHECK(names_field(reserved, "payload.a.__proto__"));

  auto ctor = put(R"({"payload": {"constructor": {}}})");
  expect_problem(ctor, 422, "validation_failed");
  CHECK(names_field(ctor, "payload.constructor"));

  // A number beyond a double's range parses as infinity, which jsonb cannot store.
  auto huge = put(R"({"payload": {"scores": [1, 1e400]}})");
  expect_problem(huge, 422, "validation_failed");
  CHECK(names_field(huge, "payload.scores[1]"));
  CHECK(put(R"({"payload": {"scores": [1, 1e300]}})").status == 200);
  REQUIRE(s.api.request("DELETE", "/api/v1/drafts/me", {{"Authorization", "Bearer " + ada.token}})
              .status == 204);

  auto long_string = put(R"({"payload": {"note": ")" + std::string(50'001, 'x') + R"("}})");
  expect_problem(long_string, 422, "validation_failed");
  CHECK(names_field(long_string, "payload.note"));

  std::string items = "[";
  for (int i = 0; i < 5'001; ++i) items += i ? ",0" : "0";
  items += "]";
  auto many = put(R"({"payload": {"list": )" + items + "}}");
  expect_problem(many, 422, "validation_failed");
  CHECK(names_field(many, "payload.list"));

  std::string keys = "{";
  for (int i = 0; i < 501; ++i) keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  keys += "}";
  auto wide = put(R"({"payload": )" + keys + "}");
  expect_problem(wide, 422, "validation_failed");
  CHECK(names_field(wide, "payload"));

  // Valid but over 512 KiB: 20 strings within the string limit.
  std::string big = R"({"payload": {"notes": [)";
  for (int i = 0; i < 20; ++i) big += (i ? ",\"" : "\"") + std::string(30'000, 'x') + "\"";
  big += "]}}";
  auto too_big = put(big);
  CHECK(too_big.status == 413);

  expect_problem(put(R"({"payload": [1, 2]})"), 422, "validation_failed");
  // Nothing of that was stored.
  expect_problem(s.send("GET", "/api/v1/drafts/me", &ada), 404, "draft_not_found");
}

TEST_CASE("a draft sent with an emailed code becomes the account's draft when the code is verified",
          "[rules][drafts][otp]") {
  rules_stack s;
  using keel::test::nth_mail_body;
  using keel::test::otp_code;
  using keel::test::str;
  // Mail is sent at least once: a repeat of an earlier code is skipped, not taken for the new.
  std::set<std::string> used_codes;
  auto sign_in_with = [&](const std::string& email, const boost::json::object& request) {
    auto asked = s.post("/api/v1/auth/otp/request", request);
    INFO(asked.body);
    REQUIRE(asked.status == 202);
    std::string code;
    for (std::size_t nth = 1; code.empty(); ++nth) {
      auto sent = otp_code(nth_mail_body(email, nth));
      if (used_codes.insert(sent).second) code = sent;
    }
    auto r = s.post("/api/v1/auth/otp/verify", {{"email", email}, {"code", code}});
    REQUIRE(r.status == 200);
    return "Bearer " + str(r.json().at("access_token"));
  };
  auto draft_of_caller = [&](const std::string& bearer) {
    return s.api.request("GET", "/api/v1/drafts/me", {{"Authorization", bearer}});
  };

  std::string email = keel::test::unique_address();
  auto flow = draft_of("Garden collective").at("payload").as_object();
  auto bearer = sign_in_with(email, {{"email", email}, {"draft", flow}});
  auto kept = draft_of_caller(bearer);
  INFO(kept.body);
  REQUIRE(kept.status == 200);
  CHECK(kept.json().at("payload") == flow);
  CHECK(kept.json().at("version") == 1);

  // A later code that carries another draft replaces the account's draft, as a plain save does.
  auto second = draft_of("Second garden").at("payload").as_object();
  bearer = sign_in_with(email, {{"email", email}, {"draft", second}});
  auto replaced = draft_of_caller(bearer);
  CHECK(replaced.json().at("payload") == second);
  CHECK(replaced.json().at("version") == 2);

  // A new code replaces the old one and its draft: only the draft of the code used is kept.
  std::string other = keel::test::unique_address();
  REQUIRE(s.post("/api/v1/auth/otp/request", {{"email", other}, {"draft", flow}}).status == 202);
  used_codes.insert(otp_code(nth_mail_body(other, 1)));
  bearer = sign_in_with(other, {{"email", other}});
  expect_problem(draft_of_caller(bearer), 404, "draft_not_found");

  // The draft is held to the document limits before any code is sent.
  std::string limited = keel::test::unique_address();
  auto refused =
      s.api.request("POST", "/api/v1/auth/otp/request", {{"Content-Type", "application/json"}},
                    R"({"email": ")" + limited + R"(", "draft": {"a": {"__proto__": 1}}})");
  expect_problem(refused, 422, "validation_failed");
  CHECK(names_field(refused, "draft.a.__proto__"));
  CHECK(s.count("SELECT count(*) FROM auth_otps WHERE email = '" + limited + "'") == "0");
}
