// Client text: which bytes are UTF-8 without NUL, and cleaning and clipping what is stored.
#include <catch2/catch.hpp>

#include <string>

#include "core/runtime/text.hpp"

using namespace std::string_literals;

TEST_CASE("well-formed UTF-8 without NUL is clean, anything else is not") {
  CHECK(keel::text::is_clean(""));
  CHECK(keel::text::is_clean("plain ascii \t~"));
  CHECK(keel::text::is_clean("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  CHECK_FALSE(keel::text::is_clean("a\0b"s));
  CHECK_FALSE(keel::text::is_clean("\xff"));
  CHECK_FALSE(keel::text::is_clean("\x80"));              // a continuation byte alone
  CHECK_FALSE(keel::text::is_clean("\xc3"));              // cut short
  CHECK_FALSE(keel::text::is_clean("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(keel::text::is_clean("\xe0\x80\xaf"));      // overlong, three bytes
  CHECK_FALSE(keel::text::is_clean("\xed\xa0\x80"));      // a UTF-16 surrogate
  CHECK_FALSE(keel::text::is_clean("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(keel::text::is_clean("\xe2\x82x"));         // continuation missing
}

TEST_CASE("cleaning replaces bad bytes and NUL with U+FFFD and cuts between characters") {
  CHECK(keel::text::cleaned("Mozilla/5.0", 512) == "Mozilla/5.0");
  CHECK(keel::text::cleaned("\xff", 512) == "\xef\xbf\xbd");
  CHECK(keel::text::cleaned("a\0b"s, 512) ==
        "a\xef\xbf\xbd"
        "b");
  // 511 ASCII bytes then a 2-byte character: the cut at 512 would split it, so it is left out.
  std::string ua = std::string(511, 'a') + "\xc3\xa9" + std::string(100, 'b');
  std::string kept = keel::text::cleaned(ua, 512);
  CHECK(kept == std::string(511, 'a'));
  CHECK(keel::text::is_clean(kept));
  // A replacement that would not fit whole is left out too.
  CHECK(keel::text::cleaned("ab\xff", 4) == "ab");
  CHECK(keel::text::cleaned(std::string(600, 'x'), 512).size() == 512);
}
