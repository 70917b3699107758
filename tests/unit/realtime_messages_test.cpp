// What a realtime WebSocket client may send, and the refusal of everything else.
#include <catch2/catch.hpp>

#include "core/realtime/messages.hpp"

using keel::realtime::client_message;
using keel::realtime::parse_client_message;

namespace {
const std::string rule = "rule:0190a5b4-6a0e-7c3f-8d2e-3f4a5b6c7d8e";
}

TEST_CASE("subscribe names a channel and may resume after an event id") {
  auto m = parse_client_message(R"({"type":"subscribe","channel":")" + rule + R"(","since":41})");
  CHECK(m.what == client_message::kind::subscribe);
  CHECK(m.channel_name == rule);
  CHECK(m.target.kind == keel::realtime::channel_kind::rule);
  CHECK(m.since == 41);
  auto fresh =
      parse_client_message(R"({"type":"subscribe","channel":")" + rule + R"(","since":null})");
  CHECK_FALSE(fresh.since);
  CHECK(parse_client_message(R"({"type":"unsubscribe","channel":")" + rule + "\"}").what ==
        client_message::kind::unsubscribe);
  CHECK(parse_client_message(R"({"type":"ping"})").what == client_message::kind::ping);
}

TEST_CASE("a message keel cannot act on is refused with the code that says why") {
  auto code = [](const std::string& text) {
    auto m = parse_client_message(text);
    CHECK(m.what == client_message::kind::invalid);
    return std::string(m.error);
  };
  CHECK(code("not json") == "invalid_message");
  CHECK(code(R"(["type","ping"])") == "invalid_message");
  CHECK(code(R"({"type":7})") == "invalid_message");
  CHECK(code(R"({"type":"publish"})") == "unknown_type");
  CHECK(code(R"({"type":"subscribe","channel":"rule:42"})") == "invalid_channel");
  CHECK(code(R"({"type":"subscribe"})") == "invalid_channel");
  CHECK(code(R"({"type":"subscribe","channel":")" + rule + R"(","since":-1})") == "invalid_since");
  CHECK(code(R"({"type":"subscribe","channel":")" + rule + R"(","since":"4"})") == "invalid_since");
  // The refusal of a bad since names the channel, so the client knows which subscribe failed.
  CHECK(parse_client_message(R"({"type":"subscribe","channel":")" + rule + R"(","since":1.5})")
            .channel_name == rule);
}
