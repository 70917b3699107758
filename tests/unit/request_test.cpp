// Request accessors: method names, path/query split, percent-decoded query parameters.
#include <catch2/catch.hpp>

#include "core/http/request.hpp"
#include "core/runtime/error.hpp"

using keel::http::method;
using keel::http::request;

namespace {
std::optional<std::string_view> no_headers(const void*, std::string_view) {
  return std::nullopt;
}
}  // namespace

TEST_CASE("method names round-trip and unknown or lower-case methods are other") {
  for (auto m : {method::get, method::head, method::post, method::put, method::patch,
                 method::delete_, method::options}) {
    CHECK(keel::http::parse_method(keel::http::method_name(m)) == m);
  }
  CHECK(keel::http::parse_method("get") == method::other);
  CHECK(keel::http::parse_method("BREW") == method::other);
}

TEST_CASE("request splits the target into path and query") {
  request r(method::get, "/a/b?x=1&y=2", "", nullptr, no_headers);
  CHECK(r.path() == "/a/b");
  CHECK(r.query_string() == "x=1&y=2");
  request bare(method::get, "/a", "", nullptr, no_headers);
  CHECK(bare.path() == "/a");
  CHECK(bare.query_string().empty());
}

TEST_CASE("query parameters are percent-decoded with plus as space") {
  request r(method::get, "/s?q=hello+w%C3%B6rld&empty=&flag&a%20b=c&bad=100%&x=%2", "", nullptr,
            no_headers);
  CHECK(r.query_param("q") == std::optional<std::string>("hello w\xC3\xB6rld"));
  CHECK(r.query_param("empty") == std::optional<std::string>(""));
  CHECK(r.query_param("flag") == std::optional<std::string>(""));
  CHECK(r.query_param("a b") == std::optional<std::string>("c"));
  CHECK(r.query_param("bad") == std::optional<std::string>("100%"));
  CHECK(r.query_param("x") == std::optional<std::string>("%2"));
  CHECK_FALSE(r.query_param("missing").has_value());
}

TEST_CASE("path parameters are looked up by name") {
  request r(method::get, "/t/abc", "", nullptr, no_headers);
  r.set_path_params({{"slug", "abc"}});
  CHECK(r.path_param("slug") == "abc");
  CHECK(r.path_param("other").empty());
}

TEST_CASE("a path parameter that is not UTF-8 text without NUL is a validation error naming it") {
  request r(method::get, "/t/a\xff", "", nullptr, no_headers);
  r.set_path_params(
      {{"slug", "a\xff"}, {"name", std::string_view("a\0b", 3)}, {"ok", "caf\xc3\xa9"}});
  CHECK(r.path_param("ok") == "caf\xc3\xa9");
  for (const char* name : {"slug", "name"}) {
    try {
      (void)r.path_param(name);
      FAIL("expected validation_failed");
    } catch (const keel::validation_failed& e) {
      REQUIRE(e.field_errors().size() == 1);
      CHECK(e.field_errors()[0].field == name);
      CHECK(e.field_errors()[0].message == "must be UTF-8 text without NUL characters");
    }
  }
}
