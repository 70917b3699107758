// keel's S3 client and presigned URLs against a real S3-compatible server that verifies
// Signature V4 (@20minutes/s3rver), driven by curl and cross-checked with the AWS SDK.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "../support/async.hpp"
#include "../support/process.hpp"
#include "../support/s3_server.hpp"
#include "core/runtime/error.hpp"
#include "core/storage/s3_client.hpp"

using namespace keel;
using namespace keel::test;
using namespace std::chrono;

namespace {

storage::sys_seconds now_s() {
  return time_point_cast<seconds>(system_clock::now());
}

struct curl_result {
  int http_status = 0;
  std::string body;
};

// Runs the curl program on `url` (as a client would) and returns the status and body.
curl_result curl(const std::string& method, const std::string& url,
                 const storage::name_values& headers = {}, const std::string& body_file = "") {
  std::string out = "/tmp/keel-s3-curl-" + std::to_string(::getpid()) + ".out";
  std::vector<std::string> args = {"-s", "-o", out, "-w", "%{http_code}", "-X", method};
  for (const auto& [name, value] : headers) args.insert(args.end(), {"-H", name + ": " + value});
  if (!body_file.empty()) args.insert(args.end(), {"--data-binary", "@" + body_file});
  args.push_back(url);
  process p("/usr/bin/curl", args, {});
  REQUIRE(p.wait(seconds(30)) == 0);
  curl_result r;
  r.http_status = std::stoi(p.output().substr(p.output().size() - 3));
  std::ifstream in(out, std::ios::binary);
  r.body.assign(std::istreambuf_iterator<char>(in), {});
  std::filesystem::remove(out);
  return r;
}

struct temp_file {
  std::string path = "/tmp/keel-s3-body-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::random_device{}());
  explicit temp_file(const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  std::string q = url.substr(url.find('?') + 1);
  std::size_t start = 0;
  while (start < q.size()) {
    auto amp = q.find('&', start);
    auto part = q.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = part.find('=');
    out[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("the S3 client puts, heads, reads a range, copies and deletes an object") {
  runtime::event_loops loops(1);
  storage::bucket bucket(s3_options());
  storage::s3_client s3(bucket);
  std::string key = s3_prefix() + "hello world.txt";
  std::string copy_key = key + ".copy";
  std::string body = "0123456789abcdefghij";
  std::string type = "text/plain";

  run_async(loops, [&]() -> async<void> {
    co_await s3.put(key, body, type);
    auto info = co_await s3.head(key);
    REQUIRE(info.has_value());
    CHECK(info->byte_length == body.size());
    CHECK(info->content_type == "text/plain");
    auto part = co_await s3.get_range(key, 3, 5);
    REQUIRE(part.has_value());
    CHECK(*part == "34567");
    auto tail = co_await s3.get_range(key, 18, 100);
    CHECK(tail == std::optional<std::string>("ij"));
    co_await s3.copy(key, copy_key);
    auto copied = co_await s3.get_range(copy_key, 0, 100);
    CHECK(copied == std::optional<std::string>(body));
    co_await s3.remove(key);
    co_await s3.remove(copy_key);
    CHECK_FALSE((co_await s3.head(key)).has_value());
    CHECK_FALSE((co_await s3.get_range(copy_key, 0, 1)).has_value());
    co_await s3.remove(key);  // deleting what is gone succeeds
  });
}

TEST_CASE("a wrong secret is refused by the storage and reported as unavailable") {
  runtime::event_loops loops(1);
  auto o = s3_options();
  o.secret_access_key = "not-the-secret";
  storage::bucket bucket(o);
  storage::s3_client s3(bucket);
  std::string key = s3_prefix() + "x";
  std::string body = "x", type = "text/plain";
  // Refused by the server (403), not merely unreachable.
  CHECK_THROWS_WITH(run_async(loops, [&]() -> async<void> { co_await s3.put(key, body, type); }),
                    Catch::Contains("answered 403"));
}

TEST_CASE("a presigned PUT accepts exactly the declared type and length and nothing else") {
  storage::bucket bucket(s3_options());
  std::string key = s3_prefix() + "avatar.png";
  std::string png = "\x89PNG\r\n\x1a\n0123456789";
  temp_file file(png);
  auto up = bucket.presign_put(key, "image/png", png.size(), now_s());
  CHECK(up.expires_at - now_s() <= bucket.settings().upload_url_ttl);

  SECTION("another content type is refused") {
    auto headers = up.headers;
    headers[1].second = "text/plain";
    CHECK(curl("PUT", up.url, headers, file.path).http_status == 403);
  }
  SECTION("a body of another length is refused") {
    temp_file longer(png + "extra");
    auto headers = up.headers;
    headers.erase(headers.begin());  // curl sends the real length of the longer body
    CHECK(curl("PUT", up.url, headers, longer.path).http_status == 403);
  }
  SECTION("a tampered signature is refused") {
    std::string url = up.url;
    char& last = url.back();
    last = last == '0' ? '1' : '0';
    CHECK(curl("PUT", url, up.headers, file.path).http_status == 403);
  }
  SECTION("the declared body is stored and a presigned GET returns the same bytes") {
    REQUIRE(curl("PUT", up.url, up.headers, file.path).http_status == 200);
    auto got = curl("GET", bucket.presign_get(key, now_s(), seconds(60)));
    CHECK(got.http_status == 200);
    CHECK(got.body == png);
  }
}

TEST_CASE("an expired presigned URL is refused") {
  storage::bucket bucket(s3_options());
  runtime::event_loops loops(1);
  storage::s3_client s3(bucket);
  std::string key = s3_prefix() + "old.txt";
  std::string body = "old", type = "text/plain";
  run_async(loops, [&]() -> async<void> { co_await s3.put(key, body, type); });
  auto fresh = bucket.presign_get(key, now_s(), seconds(60));
  auto stale = bucket.presign_get(key, now_s() - minutes(10), seconds(60));
  CHECK(curl("GET", fresh).http_status == 200);
  CHECK(curl("GET", stale).http_status == 403);
}

TEST_CASE("keel's presigned URLs equal the AWS SDK presigner's for the same inputs") {
  // Path-style on the test server and virtual-hosted on a Spaces-like endpoint.
  struct example {
    std::string method, endpoint, region, key;
    bool path_style;
  };
  for (const auto& e : {example{"PUT", s3_endpoint(), "us-east-1", "uploads/0190/a b+c.png", true},
                        example{"GET", "https://nyc3.digitaloceanspaces.com", "nyc3",
                                "uploads/x/ümlaut (1).pdf", false}}) {
    INFO(e.method << " " << e.endpoint);
    storage::options o = s3_options();
    o.endpoint = e.endpoint;
    o.region = e.region;
    o.force_path_style = e.path_style;
    o.upload_url_ttl = seconds(900);
    storage::bucket bucket(o);
    const auto at = storage::sys_seconds(sys_days{year{2026} / 12 / 2}) + hours(10);

    boost::json::object args = {{"method", e.method},
                                {"endpoint", e.endpoint},
                                {"bucket", o.bucket},
                                {"key", e.key},
                                {"region", e.region},
                                {"accessKeyId", o.access_key_id},
                                {"secretAccessKey", o.secret_access_key},
                                {"date", "2026-12-02T10:00:00Z"},
                                {"expires", 900},
                                {"forcePathStyle", e.path_style}};
    if (e.method == "PUT") {
      args["contentType"] = "image/png";
      args["contentLength"] = 1234;
    }
    process node("/usr/bin/env",
                 {"node", s3_tools_dir() + "/presign.mjs", boost::json::serialize(args)},
                 {{"NODE_NO_WARNINGS", "1"}});
    REQUIRE(node.wait(seconds(60)) == 0);
    std::string out = node.output();
    auto start = out.find("URL ");
    REQUIRE(start != std::string::npos);
    start += 4;
    std::string sdk_url = out.substr(start, out.find('\n', start) - start);

    // The SDK adds two parameters of its own to the signed query; give keel the same ones.
    auto sdk = query_of(sdk_url);
    auto r = bucket.request_for(e.method, e.key);
    r.query = {{"x-id", e.method == "PUT" ? "PutObject" : "GetObject"},
               {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}};
    if (e.method == "PUT") {
      r.headers = {{"Content-Length", "1234"}, {"Content-Type", "image/png"}};
    }
    std::string keel_url =
        bucket.url_of(r) + "?" + storage::presign_query(r, bucket.signer(), at, seconds(900));
    CHECK(keel_url.substr(0, keel_url.find('?')) == sdk_url.substr(0, sdk_url.find('?')));
    CHECK(query_of(keel_url) == sdk);
    CHECK(query_of(keel_url).at("X-Amz-Signature") == sdk.at("X-Amz-Signature"));
  }
}
