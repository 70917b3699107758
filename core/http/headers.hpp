// Request headers keel parses by hand, as pure functions of their values, so that each one's
// grammar is unit-tested (tests/unit/headers_test.cpp) and fuzzed (tests/fuzz/headers_fuzz.cpp).
#pragma once
#include <optional>
#include <string_view>

namespace keel::http {

// The client's address behind `hops` trusted proxies: the X-Forwarded-For entry that many from
// the right (each proxy appends the peer it saw; entries further left are the client's word
// and could be forged). Empty when `hops` is 0, or the list is too short or not an address.
std::string_view forwarded_client(std::string_view x_forwarded_for, int hops);

// The value of cookie `name` in a Cookie header ("a=1; keel_refresh=...").
std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name);

}  // namespace keel::http
