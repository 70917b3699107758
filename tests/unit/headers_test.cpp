// The request headers keel parses by hand: X-Forwarded-For, Cookie, entity tags, Bearer.
#include <catch2/catch.hpp>

#include "core/auth/jwt.hpp"
#include "core/http/conditional.hpp"
#include "core/http/headers.hpp"

using keel::http::find_cookie;
using keel::http::forwarded_client;
using keel::http::version_of_etag;

TEST_CASE("the client behind trusted proxies is the entry that many from the right") {
  CHECK(forwarded_client("198.51.100.1, 203.0.113.9", 1) == "203.0.113.9");
  CHECK(forwarded_client("198.51.100.1, 203.0.113.9", 2) == "198.51.100.1");
  CHECK(forwarded_client(" 2001:db8::1 ", 1) == "2001:db8::1");
  // No trusted proxy, too few entries, or an entry that is no address: the TCP peer is used.
  CHECK(forwarded_client("198.51.100.1", 0).empty());
  CHECK(forwarded_client("198.51.100.1", 2).empty());
  CHECK(forwarded_client("unknown", 1).empty());
  CHECK(forwarded_client("198.51.100.1, ", 1).empty());
}

TEST_CASE("a cookie is found by its exact name among the others") {
  CHECK(find_cookie("theme=dark; keel_refresh=abc; x=1", "keel_refresh") == "abc");
  CHECK(find_cookie("keel_refresh=", "keel_refresh") == "");
  CHECK_FALSE(find_cookie("old_keel_refresh=abc; keel_refreshx=1", "keel_refresh"));
  CHECK_FALSE(find_cookie("", "keel_refresh"));
}

TEST_CASE("an entity tag names a version only as a quoted decimal, weak or strong") {
  CHECK(version_of_etag("\"3\"") == 3);
  CHECK(version_of_etag("W/\"42\"") == 42);
  CHECK(version_of_etag(keel::http::etag_of_version(1'000'000'000'000)) == 1'000'000'000'000);
  for (auto bad : {"3", "\"\"", "\"3a\"", "\"-1\"", "W/3", "\"99999999999999999999\""}) {
    CHECK_FALSE(version_of_etag(bad));
  }
}

TEST_CASE("a bearer token is what follows the scheme, in any case") {
  CHECK(keel::auth::bearer_token("Bearer a.b.c") == "a.b.c");
  CHECK(keel::auth::bearer_token("bEARER x") == "x");
  CHECK_FALSE(keel::auth::bearer_token("Bearer "));
  CHECK_FALSE(keel::auth::bearer_token("Basic Zm9v"));
}
