// What the realtime end-to-end tests share: the rules stack (keel-api, keel-worker, signed-in
// users) plus realtime clients that no one here wrote (npm ws and eventsource, driven by
// tests/e2e/realtime/client.mjs), whose every message the test reads back as JSON.
#pragma once
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/process.hpp"
#include "rules_stack.hpp"

namespace keel::test {

// tests/e2e/realtime with its node_modules (deploy/local/test.sh runs npm ci and sets this).
inline std::string realtime_tools() {
  const char* dir = std::getenv("KEEL_TEST_REALTIME_DIR");
  INFO(
      "run deploy/local/test.sh, which installs tests/e2e/realtime and sets "
      "KEEL_TEST_REALTIME_DIR");
  REQUIRE(dir != nullptr);
  std::string path = dir;
  REQUIRE(std::filesystem::exists(path + "/node_modules/ws/package.json"));
  return path;
}

// One client process: it connects when started and prints a JSON line per event.
class live_client {
 public:
  explicit live_client(const boost::json::object& spec)
      : node_(std::make_unique<process>(
            "/usr/bin/env",
            std::vector<std::string>{"node", realtime_tools() + "/client.mjs",
                                     boost::json::serialize(spec)},
            std::map<std::string, std::string>{{"NODE_NO_WARNINGS", "1"}})) {}

  // Every line printed so far.
  std::vector<boost::json::object> lines() const {
    std::vector<boost::json::object> out;
    std::istringstream in(node_->output());
    for (std::string line; std::getline(in, line);) {
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec);
      if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
  }

  // The messages received (the "msg" of each line), optionally only those of one type.
  std::vector<boost::json::object> messages(std::string_view type = {}) const {
    std::vector<boost::json::object> out;
    for (auto& l : lines()) {
      if (!l.contains("msg")) continue;
      auto& m = l.at("msg").as_object();
      if (type.empty() || m.at("type").as_string() == type) out.push_back(m);
    }
    return out;
  }

  // Waits until a printed line satisfies `done`; false after `timeout`.
  bool wait_for(const std::function<bool(const boost::json::object&)>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      for (auto& l : lines()) {
        if (done(l)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  bool wait_subscribed(std::size_t channels = 1) const {
    return wait_for(
        [&](const boost::json::object&) { return messages("subscribed").size() >= channels; });
  }

  // Waits for the client to end (its expected events, a close or its own timeout).
  void finish(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    REQUIRE(node_->wait(timeout).has_value());
  }

  // The close code the server sent, if the connection was closed.
  std::optional<std::int64_t> close_code() const {
    for (auto& l : lines()) {
      if (l.contains("close")) return l.at("close").to_number<std::int64_t>();
    }
    return std::nullopt;
  }
  // The HTTP status of a refused handshake, if it was refused.
  std::optional<std::int64_t> refused_status() const {
    for (auto& l : lines()) {
      if (l.contains("status") && l.contains("body"))
        return l.at("status").to_number<std::int64_t>();
    }
    return std::nullopt;
  }
  // The problem code of a refused handshake.
  std::string refused_code() const {
    for (auto& l : lines()) {
      if (l.contains("body")) {
        boost::system::error_code ec;
        auto v = boost::json::parse(l.at("body").as_string(), ec);
        if (!ec && v.is_object() && v.as_object().contains("code")) return str(v.at("code"));
      }
    }
    return {};
  }
  std::string output() const { return node_->output(); }

 private:
  std::unique_ptr<process> node_;
};

inline std::string ticket_for(rules_stack& s, const rules_user& who) {
  auto r = s.send("POST", "/api/v1/realtime/ticket", &who);
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json().at("expires_in").to_number<int>() == 30);
  return str(r.json().at("ticket"));
}

inline std::string socket_url(int port, const std::string& ticket = {}) {
  std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/api/v1/realtime";
  if (!ticket.empty()) url += "?ticket=" + ticket;
  return url;
}

// A WebSocket client subscribed to `channels` (each {"channel", "since"?}).
inline boost::json::object socket_spec(const std::string& url, boost::json::array subscribe,
                                       int events, int timeout_ms = 10000) {
  return {{"kind", "ws"},
          {"url", url},
          {"subscribe", std::move(subscribe)},
          {"events", events},
          {"timeout_ms", timeout_ms}};
}

inline boost::json::object channel_of(const std::string& name) {
  return {{"channel", name}};
}

inline http_response patch_title(rules_stack& s, const rules_user& owner, const std::string& id,
                                 const std::string& title) {
  boost::json::object change{{"title", title}};
  auto r = s.send("PATCH", "/api/v1/rules/" + id, &owner, &change);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r;
}

}  // namespace keel::test
