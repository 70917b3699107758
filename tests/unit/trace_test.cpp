// W3C traceparent: what is accepted, what is ignored, and what keel sends on.
#include <catch2/catch.hpp>

#include <string>

#include "core/runtime/trace.hpp"

namespace trace = keel::trace;

namespace {
constexpr const char* valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}

TEST_CASE("a valid version 00 traceparent is read field by field") {
  auto s = trace::parse(valid);
  REQUIRE(s);
  CHECK(s->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(s->span_id == "00f067aa0ba902b7");
  CHECK(s->flags == 1);
  CHECK(s->traceparent() == valid);
  auto unsampled = trace::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  REQUIRE(unsampled);
  CHECK(unsampled->flags == 0);
}

TEST_CASE("a malformed traceparent is refused") {
  for (std::string bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",         // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",     // 00 has nothing after
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // trace id all zero
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // parent id all zero
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",      // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",      // dashes moved
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",      // flags not hex
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
           "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",      // separators
           " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // leading space
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n",  // trailing bytes
       }) {
    INFO(bad);
    CHECK_FALSE(trace::parse(bad));
  }
}

TEST_CASE("a later version is read by its version 00 fields, and what follows a dash is left") {
  auto s = trace::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  REQUIRE(s);
  CHECK(s->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK_FALSE(trace::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01future"));
  CHECK(trace::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST_CASE("keel's span keeps the caller's trace and flags under a span id of its own") {
  auto span = trace::continue_from(std::string_view(valid));
  CHECK(span.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(span.span_id.size() == 16);
  CHECK(span.span_id != "00f067aa0ba902b7");
  CHECK(span.flags == 1);
  // What keel sends on is itself a valid traceparent naming keel's span as the parent.
  auto sent = trace::parse(span.traceparent());
  REQUIRE(sent);
  CHECK(sent->span_id == span.span_id);
}

TEST_CASE("without a valid traceparent a new trace begins, sampled") {
  for (auto given :
       {std::optional<std::string_view>{}, std::optional<std::string_view>{"00-garbage"}}) {
    auto a = trace::continue_from(given);
    auto b = trace::continue_from(given);
    CHECK(a.trace_id.size() == 32);
    CHECK(a.trace_id != b.trace_id);
    CHECK(a.flags == 1);
    CHECK(trace::parse(a.traceparent()));
  }
}
