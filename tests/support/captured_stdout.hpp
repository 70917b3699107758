// What this process writes to stdout (keel's log lines) over a stretch of a test, for tests
// that check what was logged.
#pragma once
#include <string>

namespace keel::test {

class captured_stdout {
 public:
  captured_stdout();  // from now on stdout goes to a temporary file
  ~captured_stdout();
  captured_stdout(const captured_stdout&) = delete;
  captured_stdout& operator=(const captured_stdout&) = delete;

  // Gives stdout back and returns what was written meanwhile. Call it before checking, so that
  // Catch's own report of a failure is not captured too.
  std::string finish();

 private:
  std::string path_;
  int saved_ = -1;
};

}  // namespace keel::test
