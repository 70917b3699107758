// What every program does first: answer --help, read the configuration, set up logging.
#pragma once
#include <string_view>

#include "core/runtime/config.hpp"

namespace keel::runtime {

struct program_info {
  std::string_view name;     // "keel-api"
  std::string_view summary;  // one line
  std::string_view usage;    // argument synopsis, e.g. "[--help]"
  unsigned variables;        // which configuration variables it reads
};

// Prints usage and exits 0 for --help/-h; prints every configuration problem and
// exits 2 when the configuration is invalid; otherwise configures logging.
config start_program(const program_info& info, int argc, char** argv);

// --help text: usage line, summary and the variables read.
void print_help(const program_info& info);

}  // namespace keel::runtime
