// Redirecting file descriptor 1 to a temporary file and back.
#include "tests/support/captured_stdout.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace keel::test {

captured_stdout::captured_stdout() {
  path_ = (std::filesystem::temp_directory_path() / "keel-stdout-XXXXXX").string();
  int fd = ::mkstemp(path_.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  std::fflush(stdout);
  saved_ = ::dup(STDOUT_FILENO);
  ::dup2(fd, STDOUT_FILENO);
  ::close(fd);
}

captured_stdout::~captured_stdout() {
  finish();
  ::unlink(path_.c_str());
}

std::string captured_stdout::finish() {
  if (saved_ >= 0) {
    std::fflush(stdout);
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace keel::test
