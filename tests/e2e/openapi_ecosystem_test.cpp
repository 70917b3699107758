// keel's /openapi.json as tools no one here wrote read it: Redocly lints it with its
// recommended rules, openapi-typescript turns it into types, tsc --strict compiles a client
// written against those types (tests/e2e/openapi/client.ts), and that client walks the product
// flow against a real keel-api and keel-worker.
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rules_stack.hpp"

using namespace keel;
using namespace keel::test;
namespace fs = std::filesystem;

namespace {

// tests/e2e/openapi with its node_modules (deploy/local/test.sh runs npm ci and sets this).
fs::path tools_dir() {
  const char* dir = std::getenv("KEEL_TEST_OPENAPI_DIR");
  fs::path path = dir != nullptr ? dir : fs::path(KEEL_SOURCE_DIR) / "tests/e2e/openapi";
  INFO("run deploy/local/test.sh, or npm ci --prefix tests/e2e/openapi");
  REQUIRE(fs::exists(path / "node_modules/typescript/package.json"));
  return path;
}

struct tool_result {
  int status = -1;
  std::string output;
};

// Runs a Node program with `env` added to the test's own environment.
tool_result node(const fs::path& script, std::vector<std::string> args,
                 std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), script.string());
  args.insert(args.begin(), "node");
  env["NODE_NO_WARNINGS"] = "1";
  // Redocly would otherwise report usage and look for a newer version over the network.
  env["REDOCLY_TELEMETRY"] = "off";
  env["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
  process p("/usr/bin/env", std::move(args), std::move(env));
  auto status = p.wait(std::chrono::seconds(120));
  REQUIRE(status.has_value());
  return {*status, p.output()};
}

// A scratch directory for the document, the generated types and the compiled client; the
// client finds its packages through a node_modules link.
struct work_dir {
  fs::path path = fs::temp_directory_path() / ("keel-openapi-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(std::rand()));
  work_dir() {
    fs::create_directories(path);
    fs::create_directory_symlink(tools_dir() / "node_modules", path / "node_modules");
    fs::copy_file(tools_dir() / "client.ts", path / "client.ts");
    fs::copy_file(tools_dir() / "tsconfig.json", path / "tsconfig.json");
  }
  ~work_dir() { fs::remove_all(path); }
};

fs::path package_bin(const std::string& script) {
  return tools_dir() / "node_modules" / script;
}

// Redocly's JSON report sits between the banners and notes it prints around it.
boost::json::object lint_totals(const std::string& output) {
  auto start = output.find("{\n");
  INFO(output);
  REQUIRE(start != std::string::npos);
  boost::json::parser report;  // write_some stops at the end of the first complete value
  boost::json::error_code ec;
  report.write_some(output.data() + start, output.size() - start, ec);
  REQUIRE_FALSE(ec);
  return report.release().at("totals").as_object();
}

}  // namespace

TEST_CASE(
    "Redocly, openapi-typescript and tsc accept the served OpenAPI document and a typed client "
    "runs the product flow") {
  rules_stack s;
  work_dir dir;
  auto served = s.api.request("GET", "/openapi.json");
  REQUIRE(served.status == 200);
  std::ofstream(dir.path / "openapi.json") << served.body;

  auto lint = node(package_bin("@redocly/cli/bin/cli.js"),
                   {"lint", "--format=json", "--config", (tools_dir() / "redocly.yaml").string(),
                    (dir.path / "openapi.json").string()});
  INFO(lint.output);
  auto totals = lint_totals(lint.output);
  CHECK(totals.at("errors").as_int64() == 0);
  CHECK(totals.at("warnings").as_int64() == 0);
  CHECK(lint.status == 0);

  auto types =
      node(package_bin("openapi-typescript/bin/cli.js"),
           {(dir.path / "openapi.json").string(), "-o", (dir.path / "keel-api.d.ts").string()});
  INFO(types.output);
  REQUIRE(types.status == 0);

  auto compiled = node(package_bin("typescript/bin/tsc"),
                       {"-p", (dir.path / "tsconfig.json").string(), "--strict"});
  INFO(compiled.output);
  REQUIRE(compiled.status == 0);

  auto flow = node(dir.path / "out/client.js", {},
                   {{"KEEL_URL", "http://127.0.0.1:" + std::to_string(s.api.port())},
                    {"KEEL_SMTP_DIR", smtp_sink_dir()},
                    {"KEEL_RUN", "r" + std::to_string(::getpid()) + std::to_string(std::rand())}});
  INFO(flow.output);
  CHECK(flow.status == 0);
  CHECK(flow.output.find("product flow passed") != std::string::npos);
}
