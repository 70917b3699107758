// The deploy specs run only what exists: every `keel-cron run NAME` in deploy/ names a task in
// keel-cron's registry, so a renamed task cannot leave a schedule that fails every night.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../support/process.hpp"

using namespace keel::test;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(std::string(KEEL_SOURCE_DIR) + "/" + path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Task names after `keel-cron run` (app.yaml) or in ["keel-cron", "run", "NAME"] (compose).
std::set<std::string> tasks_run_by(const std::string& spec) {
  std::set<std::string> names;
  std::regex pattern(R"re(keel-cron"?,?\s+"?run"?,?\s+"?([a-z_]+\.[a-z_]+))re");
  for (std::sregex_iterator it(spec.begin(), spec.end(), pattern), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

}  // namespace

TEST_CASE("deploy specs schedule only tasks that keel-cron has") {
  process list(binary("keel-cron"), {"list"}, {});
  REQUIRE(list.wait(std::chrono::seconds(10)) == 0);
  auto registry = list.output();

  auto app = tasks_run_by(read_file("deploy/app.yaml"));
  auto compose = tasks_run_by(read_file("deploy/docker-compose.yml"));
  // The specs do run tasks: an empty set would mean the pattern stopped matching them.
  CHECK(app.count("db.migrate") == 1);
  CHECK(app.count("auth.purge") == 1);
  CHECK(compose.count("db.migrate") == 1);
  for (const auto& specs : {app, compose}) {
    for (const auto& name : specs) {
      INFO(name);
      CHECK(std::regex_search(
          registry,
          std::regex("(^|\\n)\\s*" + std::regex_replace(name, std::regex("\\."), "\\.") + "\\s")));
    }
  }
}
