// The test S3-compatible server (@20minutes/s3rver, started by deploy/local/test.sh on a
// loopback port): storage options that reach it, and the npm folder with the AWS SDK.
#pragma once
#include <string>

#include "core/storage/options.hpp"

namespace keel::test {

// Options for the shared test bucket (path-style, s3rver's S3RVER/S3RVER key pair).
storage::options s3_options();
// "http://127.0.0.1:<port>".
std::string s3_endpoint();
// tests/e2e/s3 with node_modules (@aws-sdk/*, @20minutes/s3rver).
std::string s3_tools_dir();
// A key prefix of the test's own ("t/<random>/"), so tests never see each other's objects.
std::string s3_prefix();

}  // namespace keel::test
