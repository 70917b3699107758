// The deploy specs run only what exists: every `keel-cron run NAME` in deploy/ names a task in
// keel-cron's registry, so a renamed task cannot leave a schedule that fails every night. And
// they run production: mail goes out over SMTP, never into the log.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "../support/database.hpp"
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

namespace {

// The text of `spec` from the line `start` up to the next line `end` (or the end).
std::string section(const std::string& spec, const std::string& start, const std::string& end) {
  auto from = spec.find("\n" + start + "\n");
  REQUIRE(from != std::string::npos);
  auto to = spec.find("\n" + end + "\n", from + 1);
  return spec.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// One `- key: NAME` entry of an app spec envs list: its lines up to the next entry.
std::string env_entry(const std::string& envs, const std::string& name) {
  std::smatch m;
  std::regex entry("- key: " + name + "\\n((\\s+[a-z_]+: .*\\n)*)");
  std::string text = envs + "\n";
  if (!std::regex_search(text, m, entry)) return "";
  return m[0];
}

}  // namespace

TEST_CASE("the image and the deploy specs run production, with mail sent over SMTP") {
  // The image: production unless a spec says otherwise.
  CHECK(std::regex_search(read_file("deploy/Dockerfile"),
                          std::regex(R"(\nENV APP_ENV=production\b)")));

  auto app = read_file("deploy/app.yaml");
  auto everyone = section(app, "envs:", "services:");
  CHECK(env_entry(everyone, "APP_ENV").find("value: production") != std::string::npos);
  auto worker = section(app, "workers:", "jobs:");
  auto smtp = env_entry(worker, "SMTP_URL");
  INFO(worker);
  CHECK(smtp.find("type: SECRET") != std::string::npos);
  CHECK(smtp.find("scope: RUN_TIME") != std::string::npos);
  CHECK(env_entry(worker, "MAIL_FROM").find("value: ") != std::string::npos);
  CHECK(app.find("key: MAIL_TRANSPORT") == std::string::npos);  // SMTP_URL alone selects SMTP

  auto compose = read_file("deploy/docker-compose.yml");
  CHECK(std::regex_search(compose, std::regex(R"(\n\s+APP_ENV: \$\{APP_ENV:-production\}\n)")));
  auto compose_worker = compose.substr(compose.find("\n  worker:\n"));
  CHECK(std::regex_search(compose_worker, std::regex(R"(\n\s+SMTP_URL: \$\{SMTP_URL:-\}\n)")));
  CHECK(compose_worker.find("MAIL_FROM:") != std::string::npos);
  CHECK(compose.find("MAIL_TRANSPORT:") == std::string::npos);
}

TEST_CASE(
    "keel-worker with the app spec's settings sends mail, and exits 2 until SMTP_URL is set") {
  auto worker = section(read_file("deploy/app.yaml"), "workers:", "jobs:");
  // The value of an entry's `value:` line (the smatch must not outlive the text it points in).
  auto value_of = [&](const std::string& name) {
    std::string entry = env_entry(worker, name);
    std::smatch m;
    REQUIRE(std::regex_search(entry, m, std::regex(R"(value: (.*)\n)")));
    return std::string(m[1]);
  };
  std::string from = value_of("MAIL_FROM");
  std::string placeholder = value_of("SMTP_URL");

  std::map<std::string, std::string> env{{"DATABASE_URL", fresh_database()},
                                         {"APP_ENV", "production"},
                                         {"MAIL_TRANSPORT", ""},
                                         {"MAIL_FROM", from}};
  for (std::string unusable : {std::string(), placeholder}) {
    env["SMTP_URL"] = unusable;
    process p(binary("keel-worker"), {}, env);
    auto status = p.wait(std::chrono::seconds(10));
    INFO(unusable << "\n" << p.output());
    REQUIRE(status.has_value());
    CHECK(*status == 2);
    CHECK(p.output().find("SMTP_URL") != std::string::npos);
  }

  env["SMTP_URL"] = "smtp://keel:hunter2@127.0.0.1:2525";
  process p(binary("keel-worker"), {}, env);
  bool ready = false;
  for (int i = 0; i < 200 && !ready && p.running(); ++i) {
    ready = p.output().find("worker ready") != std::string::npos;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(p.output());
  REQUIRE(ready);
  CHECK(p.output().find("mail transport: smtp") != std::string::npos);
  p.signal(SIGTERM);
  CHECK(p.wait(std::chrono::seconds(10)) == 0);
}

namespace {

// The lines of `text` from the one that is `header` up to the next line indented as little
// (the next item of the same list or map).
std::string block_of(const std::string& text, const std::string& header) {
  auto at = text.find("\n" + header + "\n");
  REQUIRE(at != std::string::npos);
  auto indent = header.find_first_not_of(' ');
  auto end = at + header.size() + 2;
  for (;;) {
    auto next = text.find('\n', end);
    if (next == std::string::npos) return text.substr(at);
    auto line_indent = text.find_first_not_of(' ', end);
    bool blank = line_indent == next;
    if (!blank && line_indent - end <= indent && text[line_indent] != '#') {
      return text.substr(at, end - at);
    }
    end = next + 1;
  }
}

// Variable names a block of YAML sets: `- key: NAME` (app.yaml) or `NAME: value` (compose),
// commented-out lines left out.
std::set<std::string> variables_in(const std::string& yaml) {
  std::set<std::string> names;
  std::regex pattern(R"(\n *(?:- key: )?([A-Z][A-Z0-9_]+):?)");
  for (std::sregex_iterator it(yaml.begin(), yaml.end(), pattern), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

}  // namespace

TEST_CASE(
    "docker-compose runs the same programs with the settings the platform spec gives, on "
    "PostgreSQL 18 and Valkey 8") {
  auto app = read_file("deploy/app.yaml");
  auto compose = read_file("deploy/docker-compose.yml");
  CHECK(compose.find("\n    image: postgres:18\n") != std::string::npos);
  CHECK(compose.find("\n    image: valkey/valkey:8\n") != std::string::npos);

  // What every service of each spec shares: app.yaml's top-level envs, compose's x-keel block.
  auto app_shared = variables_in(app.substr(0, app.find("\nservices:\n")));
  auto compose_shared = variables_in(block_of(compose, "  environment: &keel-env"));
  for (const auto& [service, header, command] :
       {std::tuple{"api", "  api:", "keel-api"},
        std::tuple{"worker", "  worker:", "keel-worker"}}) {
    INFO(service);
    auto in_app = block_of(app, std::string("  - name: ") + service);
    auto in_compose = block_of(compose, header);
    CHECK(in_app.find(std::string("run_command: ") + command + "\n") != std::string::npos);
    CHECK(in_compose.find(std::string("command: [\"") + command + "\"]") != std::string::npos);
    auto wanted = variables_in(in_app);
    wanted.insert(app_shared.begin(), app_shared.end());
    auto given = variables_in(in_compose);
    given.insert(compose_shared.begin(), compose_shared.end());
    for (const auto& name : wanted) {
      INFO(name << " is set by app.yaml for " << service << " but not by docker-compose.yml");
      CHECK(given.count(name) == 1);
    }
  }
  CHECK(block_of(app, "  - name: migrate").find("run_command: keel-cron run db.migrate\n") !=
        std::string::npos);
  CHECK(block_of(compose, "  migrate:").find(R"(command: ["keel-cron", "run", "db.migrate"])") !=
        std::string::npos);
}
