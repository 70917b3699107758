// Program start-up shared by keel-api, keel-worker and keel-cron.
#include "core/runtime/program.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "core/runtime/log.hpp"

namespace keel::runtime {

void print_help(const program_info& info, std::string_view variables) {
  fmt::print("usage: {} {}\n\n{}\n\nEnvironment variables:\n{}", info.name, info.usage,
             info.summary, variables);
}

void exit_with_problems(const program_info& info, const config_error& e) {
  fmt::print(stderr, "{}: {}\nRun {} --help for the variables it reads.\n", info.name, e.what(),
             info.name);
  std::exit(2);
}

void configure_logging(const settings& common) {
  log::configure(*log::parse_level(common.log_level),
                 common.log_format == "pretty" ? log::format::pretty : log::format::json);
}

bool asks_for_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

}  // namespace keel::runtime
