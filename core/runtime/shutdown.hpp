// Turns SIGTERM/SIGINT into one call of a graceful-shutdown function.
#pragma once
#include <functional>
#include <memory>

namespace keel::runtime {

class event_loops;

class shutdown_signal {
 public:
  // `begin_shutdown` runs once, on loop 0, at the first SIGTERM or SIGINT.
  // A second signal while shutting down exits at once with status 1.
  shutdown_signal(event_loops& loops, std::function<void()> begin_shutdown);
  ~shutdown_signal();

  // Stops listening, so that the loop can end.
  void cancel();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::runtime
