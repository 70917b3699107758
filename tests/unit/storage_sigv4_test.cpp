// SigV4 against the examples AWS publishes (the SigV4 test suite and the S3 API reference):
// equal signatures prove the canonical request, the string to sign and the key derivation.
#include <catch2/catch.hpp>

#include "core/storage/sigv4.hpp"

using namespace keel::storage;
using namespace std::chrono;

namespace {

const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The S3 reference's credentials and moment: 2013-05-24T00:00:00Z.
const credentials s3_example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             "us-east-1"};
const sys_seconds may_24_2013 = sys_days{year{2013} / 5 / 24};

std::string signature_in(const keel::storage::name_values& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "Authorization") return value.substr(value.rfind('=') + 1);
  }
  return "";
}

}  // namespace

TEST_CASE("sigv4 encodes like RFC 3986 unreserved, slashes kept only in paths") {
  CHECK(uri_encode("a b/c~d_e.f-g$", true) == "a%20b/c~d_e.f-g%24");
  CHECK(uri_encode("a b/c", false) == "a%20b%2Fc");
  CHECK(uri_encode("\xc3\xa9", false) == "%C3%A9");
  CHECK(amz_date(may_24_2013 + hours(13) + seconds(7)) == "20130524T130007Z");
}

TEST_CASE("sigv4 test suite get-vanilla gives AWS's canonical request and signature") {
  credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"};
  request_to_sign r{.method = "GET",
                    .host = "example.amazonaws.com",
                    .path = "/",
                    .headers = {{"X-Amz-Date", "20150830T123600Z"}},
                    .payload_hash = empty_hash};
  auto canonical = canonical_request(r);
  CHECK(canonical ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            empty_hash);
  CHECK(signature(c, "20150830T123600Z", canonical) ==
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("sigv4 signs the S3 reference's GET Object with a Range header") {
  request_to_sign r{.method = "GET",
                    .host = "examplebucket.s3.amazonaws.com",
                    .path = "/test.txt",
                    .headers = {{"Range", "bytes=0-9"}},
                    .payload_hash = empty_hash};
  auto headers = sign_headers(r, s3_example, may_24_2013);
  CHECK(signature_in(headers) ==
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("sigv4 signs the S3 reference's PUT Object with a body hash and a dollar in the key") {
  request_to_sign r{.method = "PUT",
                    .host = "examplebucket.s3.amazonaws.com",
                    .path = "/test$file.text",
                    .headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                    .payload_hash = sha256_hex("Welcome to Amazon S3.")};
  CHECK(r.payload_hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  auto headers = sign_headers(r, s3_example, may_24_2013);
  CHECK(signature_in(headers) ==
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_CASE("sigv4 signs the S3 reference's bucket requests with query parameters") {
  request_to_sign lifecycle{.method = "GET",
                            .host = "examplebucket.s3.amazonaws.com",
                            .path = "/",
                            .query = {{"lifecycle", ""}},
                            .payload_hash = empty_hash};
  CHECK(signature_in(sign_headers(lifecycle, s3_example, may_24_2013)) ==
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  request_to_sign list{.method = "GET",
                       .host = "examplebucket.s3.amazonaws.com",
                       .path = "/",
                       .query = {{"prefix", "J"}, {"max-keys", "2"}},
                       .payload_hash = empty_hash};
  CHECK(signature_in(sign_headers(list, s3_example, may_24_2013)) ==
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_CASE("sigv4 presigns the S3 reference's GET Object URL") {
  request_to_sign r{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
  auto query = presign_query(r, s3_example, may_24_2013, hours(24));
  CHECK(query ==
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST_CASE("sigv4 header values are trimmed and inner spaces folded, names lower-cased and sorted") {
  request_to_sign r{.method = "GET",
                    .host = "h",
                    .path = "/k",
                    .headers = {{"X-B", "  two   words "}, {"x-a", "1"}},
                    .payload_hash = empty_hash};
  CHECK(canonical_request(r) ==
        "GET\n/k\n\nhost:h\nx-a:1\nx-b:two words\n\nhost;x-a;x-b\n" + empty_hash);
}
