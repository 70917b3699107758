// Program start-up shared by keel-api, keel-worker and keel-cron.
#include "core/runtime/program.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

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
  try {
    config cfg = load_config(info.variables);
    log::configure(*log::parse_level(cfg.log_level),
                   cfg.log_format == "pretty" ? log::format::pretty : log::format::json);
    return cfg;
  } catch (const config_error& e) {
    fmt::print(stderr, "{}: {}\nRun {} --help for the variables it reads.\n", info.name, e.what(),
               info.name);
    std::exit(2);
  }
}

}  // namespace keel::runtime
