// What every program does first: answer --help, read its configuration, set up logging.
#pragma once
#include <cstdlib>
#include <string_view>

#include "core/runtime/config.hpp"
#include "core/runtime/settings.hpp"

namespace keel::runtime {

struct program_info {
  std::string_view name;     // "keel-api"
  std::string_view summary;  // one line
  std::string_view usage;    // argument synopsis, e.g. "[--help]"
};

// --help text: usage line, summary and `variables` (describe_variables<C>()).
void print_help(const program_info& info, std::string_view variables);

// Prints every problem and how to see the variables, then exits 2.
[[noreturn]] void exit_with_problems(const program_info& info, const config_error& e);

// LOG_LEVEL and LOG_FORMAT, checked already.
void configure_logging(const settings& common);

bool asks_for_help(int argc, char** argv);

// Prints usage and exits 0 for --help/-h; prints every configuration problem of every
// feature of `C` and exits 2 when there is one; otherwise configures logging.
template <class C>
C start_program(const program_info& info, int argc, char** argv) {
  if (asks_for_help(argc, argv)) {
    print_help(info, describe_variables<C>());
    std::exit(0);
  }
  try {
    C cfg = load_config<C>();
    configure_logging(common_of(cfg));
    return cfg;
  } catch (const config_error& e) {
    exit_with_problems(info, e);
  }
}

}  // namespace keel::runtime
