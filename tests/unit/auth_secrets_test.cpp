// Random tokens, hashes and encodings of core/auth/secrets.
#include <catch2/catch.hpp>
#include <set>

#include "core/auth/secrets.hpp"

using namespace keel::auth;

TEST_CASE("base64url encodes without padding and decodes back (RFC 4648 vectors)") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");  // the URL-safe alphabet, not + and /
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\xbf\x00\x01"}) {
    CHECK(base64url_decode(base64url_encode(s)) == s);
  }
  std::string binary("\x00\xff\x10", 3);
  CHECK(base64url_decode(base64url_encode(binary)) == binary);
}

TEST_CASE("base64url_decode rejects padding, other alphabets, stray bits and junk") {
  CHECK_FALSE(base64url_decode("Zg=="));   // padding
  CHECK_FALSE(base64url_decode("+/+/"));   // the standard alphabet
  CHECK_FALSE(base64url_decode("Zm9v!"));  // a character outside the alphabet
  CHECK_FALSE(base64url_decode("Zm 9v"));  // whitespace
  CHECK_FALSE(base64url_decode("Z"));      // a length no encoding has
  CHECK_FALSE(base64url_decode("Zh"));     // non-zero leftover bits: "Zg" is the one encoding
  CHECK(base64url_decode("Zg") == "f");
}

TEST_CASE("random tokens are base64url of the requested number of random bytes") {
  std::string token = random_token();
  CHECK(token.size() == 43);  // 32 bytes
  REQUIRE(base64url_decode(token));
  CHECK(base64url_decode(token)->size() == 32);
  CHECK(random_token(16).size() == 22);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token());
  CHECK(seen.size() == 100);
}

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("keyed_hash_hex is HMAC-SHA-256 (RFC 4231 test cases 1 and 2)") {
  CHECK(keyed_hash_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(keyed_hash_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(keyed_hash_hex("key one", "123456") != keyed_hash_hex("key two", "123456"));
}

TEST_CASE("constant_time_equal compares contents and lengths") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abcdef", "abcdef"));
  CHECK_FALSE(constant_time_equal("abcdef", "abcdeg"));
  CHECK_FALSE(constant_time_equal("abcdef", "xbcdef"));
  CHECK_FALSE(constant_time_equal("abc", "abcdef"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("six-digit codes are six digits and cover the range") {
  std::set<char> first_digits;
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = six_digit_code();
    REQUIRE(code.size() == 6);
    for (char c : code) REQUIRE((c >= '0' && c <= '9'));
    first_digits.insert(code[0]);
    seen.insert(code);
  }
  // Leading zeros are kept, and every leading digit appears in 2000 draws (odds of a miss ~1e-90).
  CHECK(first_digits.size() == 10);
  CHECK(seen.size() > 1900);
}
