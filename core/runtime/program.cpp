// Program start-up shared by keel-api, keel-worker and keel-cron.
#include "core/runtime/program.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/auth/jwt.hpp"
#include "core/runtime/log.hpp"

namespace keel::runtime {

void print_help(const program_info& info) {
  fmt::print("usage: {} {}\n\n{}\n\nEnvironment variables:\n{}", info.name, info.usage,
             info.summary, describe_variables(info.variables));
}

config start_program(const program_info& info, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_help(info);
      std::exit(0);
    }
  }
  std::vector<std::string> problems;
  std::optional<config> cfg;
  try {
    cfg = load_config(info.variables);
  } catch (const config_error& e) {
    problems = e.problems();
  }
  // The config layer only knows that JWT_SIGNING_KEYS is set; keel-api must not start with
  // keys it cannot use. Read from the environment so that it is reported with the rest.
  if (info.variables & api) {
    auto keys = process_environment()("JWT_SIGNING_KEYS");
    if (keys && keys->find_first_not_of(" \t") != std::string::npos) {
      try {
        auth::keyset::parse(*keys);
      } catch (const std::invalid_argument& e) {
        problems.emplace_back(e.what());  // names the entry, never the seed
      }
    }
  }
  if (!problems.empty()) {
    config_error e(std::move(problems));
    fmt::print(stderr, "{}: {}\nRun {} --help for the variables it reads.\n", info.name, e.what(),
               info.name);
    std::exit(2);
  }
  log::configure(*log::parse_level(cfg->log_level),
                 cfg->log_format == "pretty" ? log::format::pretty : log::format::json);
  return std::move(*cfg);
}

}  // namespace keel::runtime
