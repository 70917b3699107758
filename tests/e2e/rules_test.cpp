// Published rules against the real keel-api: publish with invites, read with ETag and role,
// change, delete, duplicate, the public list and its search, and "my rules".
#include "rules_stack.hpp"

using keel::test::expect_problem;
using keel::test::names_field;
using keel::test::rules_stack;
using keel::test::str;

TEST_CASE("publishing a rule invites its stakeholders, dropping repeats and my own address",
          "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob_email = keel::test::unique_address();
  auto cy_email = keel::test::unique_address();
  std::string shouted = bob_email;
  for (auto& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto rule = s.publish(ada, "Garden rules", {bob_email, shouted, ada.email, cy_email});
  std::string id = str(rule.at("id"));
  CHECK(str(rule.at("viewer_role")) == "owner");
  CHECK(!rule.contains("owner_id"));

  auto list = s.send("GET", "/api/v1/rules/" + id + "/stakeholders", &ada);
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto data = list.json().at("data").as_array();
  REQUIRE(data.size() == 2);
  CHECK(str(data[0].at("email")) == bob_email);
  CHECK(str(data[0].at("status")) == "pending");
  CHECK(data[0].at("accepted_at").is_null());

  // The mail links to APP_URL with a token that is not stored as sent.
  auto mail = keel::test::nth_mail_body(bob_email);
  CHECK(mail.find("Garden rules") != std::string::npos);
  auto token = keel::test::link_token(mail);
  CHECK(token.size() == 43);
  CHECK(s.count("SELECT count(*) FROM rule_stakeholders WHERE token_hash = '" + token + "'") ==
        "0");
  CHECK(s.count("SELECT count(*) FROM audit_log WHERE action = 'rule.published' AND details->>"
                "'rule_id' = '" +
                id + "'") == "1");
}

TEST_CASE("a rule is read by anyone with its ETag, 304 when unchanged, and a role for the caller",
          "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto bob = s.sign_in();
  auto id = str(s.publish(ada, "Read me").at("id"));
  auto target = "/api/v1/rules/" + id;

  auto anyone = s.send("GET", target, nullptr);
  INFO(anyone.body);
  REQUIRE(anyone.status == 200);
  CHECK(anyone.json().at("viewer_role").is_null());
  CHECK(anyone.json().at("document").at("sections").as_array().size() == 1);
  auto etag = anyone.header("etag");
  CHECK(!etag.empty());
  CHECK(str(s.send("GET", target, &ada).json().at("viewer_role")) == "owner");
  CHECK(s.send("GET", target, &bob).json().at("viewer_role").is_null());

  auto same = s.send("GET", target, nullptr, nullptr, {{"If-None-Match", etag}});
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(same.header("etag") == etag);

  expect_problem(s.send("GET", "/api/v1/rules/not-a-uuid", nullptr), 404, "rule_not_found");
  expect_problem(s.send("GET", "/api/v1/rules/0190b4d0-0000-7000-8000-000000000000", nullptr), 404,
                 "rule_not_found");
  expect_problem(s.send("GET", target, nullptr, nullptr, {{"Authorization", "Bearer nope"}}), 401,
                 "invalid_token");
}

TEST_CASE("PATCH changes a rule under If-Match, and the ETag moves", "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Before").at("id"));
  auto target = "/api/v1/rules/" + id;
  auto etag = s.send("GET", target, nullptr).header("etag");

  boost::json::object change{{"title", "After"}, {"summary", ""}};
  auto changed = s.send("PATCH", target, &ada, &change, {{"If-Match", etag}});
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  CHECK(str(changed.json().at("title")) == "After");
  CHECK(changed.json().at("summary").is_null());
  CHECK(changed.header("etag") != etag);
  CHECK(s.send("GET", target, nullptr, nullptr, {{"If-None-Match", etag}}).status == 200);

  expect_problem(s.send("PATCH", target, &ada, &change, {{"If-Match", etag}}), 412, "rule_changed");
  boost::json::object empty_title{{"title", ""}};
  auto bad = s.send("PATCH", target, &ada, &empty_title);
  expect_problem(bad, 422, "validation_failed");
  CHECK(names_field(bad, "title"));
  boost::json::object bad_doc{
      {"document", boost::json::object{{"sections", boost::json::array{boost::json::object{
                                                        {"category_name", "Gardening"},
                                                        {"entries", boost::json::array{}}}}}}}};
  auto wrong = s.send("PATCH", target, &ada, &bad_doc);
  expect_problem(wrong, 422, "validation_failed");
  CHECK(names_field(wrong, "document.sections[0].category_name"));
}

TEST_CASE("duplicate copies a rule without its stakeholders, delete takes them along", "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Original", {keel::test::unique_address()}).at("id"));

  auto copy = s.send("POST", "/api/v1/rules/" + id + "/duplicate", &ada);
  INFO(copy.body);
  REQUIRE(copy.status == 201);
  auto copy_id = str(copy.json().at("id"));
  CHECK(copy.header("location") == "/api/v1/rules/" + copy_id);
  CHECK(str(copy.json().at("title")) == "Original (Copy)");
  CHECK(s.send("GET", "/api/v1/rules/" + copy_id + "/stakeholders", &ada)
            .json()
            .at("data")
            .as_array()
            .empty());

  CHECK(s.send("DELETE", "/api/v1/rules/" + id, &ada).status == 204);
  expect_problem(s.send("GET", "/api/v1/rules/" + id, nullptr), 404, "rule_not_found");
  CHECK(s.count("SELECT count(*) FROM rule_stakeholders WHERE rule_id = '" + id + "'") == "0");
  expect_problem(s.send("DELETE", "/api/v1/rules/" + id, &ada), 404, "rule_not_found");
  CHECK(s.send("GET", "/api/v1/rules/" + copy_id, nullptr).status == 200);
}

TEST_CASE("the public list is newest first, pages by cursor, and q searches the document text",
          "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto a =
      str(s.publish(ada, "Orchard charter", {}, "We settle disputes by peer mediation").at("id"));
  auto b = str(s.publish(ada, "Kitchen rota", {}, "Dishes are washed by whoever cooked").at("id"));
  auto c = str(s.publish(ada, "Mediation first", {}, "Talk before voting").at("id"));

  auto all = s.send("GET", "/api/v1/rules?limit=2", nullptr);
  INFO(all.body);
  REQUIRE(all.status == 200);
  auto page = all.json().as_object();
  REQUIRE(page.at("data").as_array().size() == 2);
  CHECK(str(page.at("data").as_array()[0].at("id")) == c);
  CHECK(str(page.at("data").as_array()[1].at("id")) == b);
  CHECK(!page.at("data").as_array()[0].as_object().contains("document"));
  auto next = s.send("GET", "/api/v1/rules?limit=2&cursor=" + str(page.at("next_cursor")), nullptr);
  REQUIRE(next.status == 200);
  REQUIRE(next.json().at("data").as_array().size() == 1);
  CHECK(str(next.json().at("data").as_array()[0].at("id")) == a);
  CHECK(next.json().at("next_cursor").is_null());

  // "mediation" is in a's document text and in c's title: the title ranks first.
  auto found = s.send("GET", "/api/v1/rules?q=mediation", nullptr);
  REQUIRE(found.status == 200);
  auto hits = found.json().at("data").as_array();
  REQUIRE(hits.size() == 2);
  CHECK(str(hits[0].at("id")) == c);
  CHECK(str(hits[1].at("id")) == a);
  CHECK(s.send("GET", "/api/v1/rules?q=dishes", nullptr).json().at("data").as_array().size() == 1);
  CHECK(s.send("GET", "/api/v1/rules?q=zeppelin", nullptr).json().at("data").as_array().empty());

  for (auto bad : {"0", "101", "-1"}) {
    auto r = s.send("GET", std::string("/api/v1/rules?limit=") + bad, nullptr);
    expect_problem(r, 422, "validation_failed");
    CHECK(names_field(r, "limit"));
  }
  expect_problem(s.send("GET", "/api/v1/rules?cursor=junk", nullptr), 422, "validation_failed");
}

TEST_CASE("publish checks its input: title, summary, emails, at most 30 invites", "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto post = [&](boost::json::object body) {
    return s.send("POST", "/api/v1/rules", &ada, &body);
  };
  auto doc = rules_stack::document();

  auto no_title = post({{"title", ""}, {"document", doc}});
  expect_problem(no_title, 422, "validation_failed");
  CHECK(names_field(no_title, "title"));

  auto long_summary =
      post({{"title", "t"}, {"summary", std::string(8001, 's')}, {"document", doc}});
  CHECK(names_field(long_summary, "summary"));

  auto bad_email =
      post({{"title", "t"}, {"document", doc}, {"stakeholder_emails", {"ok@example.com", "nope"}}});
  expect_problem(bad_email, 422, "validation_failed");
  CHECK(names_field(bad_email, "stakeholder_emails[1]"));

  boost::json::array many;
  for (int i = 0; i < 31; ++i) many.push_back(boost::json::value(keel::test::unique_address()));
  auto too_many = post({{"title", "t"}, {"document", doc}, {"stakeholder_emails", many}});
  CHECK(names_field(too_many, "stakeholder_emails"));

  boost::json::object valid{{"title", "t"}, {"document", doc}};
  expect_problem(s.send("POST", "/api/v1/rules", nullptr, &valid), 401, "unauthorized");
  CHECK(s.count("SELECT count(*) FROM rules") == "0");
}

TEST_CASE("publish with invites writes the rule, its stakeholders and their mail, or nothing",
          "[rules]") {
  rules_stack s;
  auto ada = s.sign_in();
  auto mails_before = s.count("SELECT count(*) FROM mail_messages");
  // The second invite's insert fails inside the publish transaction.
  s.db.scalar(R"sql(
      CREATE FUNCTION fail_second_invite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM rule_stakeholders WHERE rule_id = NEW.rule_id) >= 1 THEN
          RAISE EXCEPTION 'the test refuses this invite';
        END IF;
        RETURN NEW;
      END $$)sql");
  s.db.scalar(
      "CREATE TRIGGER fail_second_invite BEFORE INSERT ON rule_stakeholders FOR EACH ROW "
      "EXECUTE FUNCTION fail_second_invite()");

  boost::json::object body{
      {"title", "All or nothing"},
      {"document", rules_stack::document()},
      {"stakeholder_emails", {keel::test::unique_address(), keel::test::unique_address()}}};
  auto r = s.send("POST", "/api/v1/rules", &ada, &body);
  expect_problem(r, 500, "internal");
  CHECK(s.count("SELECT count(*) FROM rules") == "0");
  CHECK(s.count("SELECT count(*) FROM rule_stakeholders") == "0");
  CHECK(s.count("SELECT count(*) FROM mail_messages") == mails_before);
  CHECK(s.count("SELECT count(*) FROM audit_log WHERE action = 'rule.published'") == "0");

  // With the failure gone the same publish writes all of it.
  s.db.scalar("DROP TRIGGER fail_second_invite ON rule_stakeholders");
  auto ok = s.send("POST", "/api/v1/rules", &ada, &body);
  REQUIRE(ok.status == 201);
  CHECK(s.count("SELECT count(*) FROM rule_stakeholders") == "2");
  CHECK(std::stoi(s.count("SELECT count(*) FROM mail_messages")) == std::stoi(mails_before) + 2);
}
