// Starts a real keel binary as a child process for end-to-end tests.
#pragma once
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keel::test {

class process {
 public:
  // Runs `program` (a path) with `args`; the child's environment is the test's environment
  // plus `env` (an empty value unsets a variable). stdout and stderr go to a log file.
  process(std::string program, std::vector<std::string> args,
          std::map<std::string, std::string> env);
  ~process();  // kills the child if it still runs
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  int pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // Waits for the exit status; nullopt when it did not exit within `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string output() const;  // everything the child printed so far
  const std::string& log_path() const { return log_path_; }

 private:
  int pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// A binary built by this tree, e.g. binary("keel-api").
std::string binary(const std::string& name);

// A memory field of /proc/<pid>/status in KiB ("VmRSS" resident now, "VmHWM" its peak); 0
// when it cannot be read.
std::size_t status_kib(int pid, const std::string& field = "VmRSS");

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// Polls until something accepts connections on 127.0.0.1:port; false after `timeout`.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

}  // namespace keel::test
