// The shared test S3 server's coordinates, from the variables deploy/local/test.sh exports.
#include "s3_server.hpp"

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace keel::test {
namespace {

std::string s3_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through deploy/local/test.sh, which "
                             "starts the S3 server");
  }
  return v;
}

}  // namespace

std::string s3_endpoint() {
  return "http://127.0.0.1:" + s3_env("KEEL_TEST_S3_PORT");
}

storage::options s3_options() {
  storage::options o;
  o.endpoint = s3_endpoint();
  o.region = "us-east-1";
  o.bucket = s3_env("KEEL_TEST_S3_BUCKET");
  o.access_key_id = "S3RVER";
  o.secret_access_key = "S3RVER";
  o.force_path_style = true;
  o.request_timeout = std::chrono::seconds(10);
  o.threads = 2;
  return o;
}

std::string s3_tools_dir() {
  return s3_env("KEEL_TEST_S3_TOOLS");
}

std::string s3_prefix() {
  std::random_device device;
  return "t/" + std::to_string(device()) + std::to_string(device()) + "/";
}

}  // namespace keel::test
