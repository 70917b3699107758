// Realtime in a real browser: headless Chromium (Debian's chromium, driven by npm
// puppeteer-core) on a page of an allowed origin takes a ticket, opens the WebSocket and gets
// a rule's update.
#include "realtime_stack.hpp"

using namespace keel::test;

TEST_CASE(
    "a page in headless Chromium takes a ticket, opens a WebSocket and receives a rule "
    "update",
    "[realtime]") {
  int page_port = free_port();
  std::string page_origin = "http://127.0.0.1:" + std::to_string(page_port);
  rules_stack s({{"CORS_ORIGINS", page_origin}});
  auto ada = s.sign_in();
  auto id = str(s.publish(ada, "Seen in a browser").at("id"));

  process browser("/usr/bin/env",
                  {"node", realtime_tools() + "/browser.mjs", std::to_string(page_port),
                   std::to_string(s.api.port()), ada.token, "rule:" + id, "30000"},
                  {{"NODE_NO_WARNINGS", "1"}});
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (browser.output().find("\"subscribed\"") == std::string::npos && browser.running() &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(browser.output());
  REQUIRE(browser.output().find("{\"subscribed\":true}") != std::string::npos);

  patch_title(s, ada, id, "Seen in a browser, changed");
  auto status = browser.wait(std::chrono::seconds(20));
  INFO(browser.output());
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  auto out = browser.output();
  auto line = out.substr(out.find("{\"event\""));
  auto event = boost::json::parse(line.substr(0, line.find('\n'))).at("event").as_object();
  CHECK(str(event.at("event")) == "rule.updated");
  CHECK(str(event.at("data").at("rule_id")) == id);
}
