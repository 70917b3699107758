// Signal handling on loop 0 with Asio's signal_set (no work in a signal handler).
#include "core/runtime/shutdown.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>

#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::runtime {

struct shutdown_signal::impl {
  boost::asio::signal_set signals;
  std::function<void()> begin_shutdown;
  bool started = false;
  bool cancelled = false;

  impl(boost::asio::io_context& io, std::function<void()> f)
      : signals(io, SIGTERM, SIGINT), begin_shutdown(std::move(f)) {}

  void wait() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec || cancelled) return;
      if (started) {
        log::warn("second signal during shutdown: exiting now", {{"signal", signo}});
        std::_Exit(1);
      }
      started = true;
      log::info("shutdown requested", {{"signal", signo}});
      begin_shutdown();
      // Keep listening so that a second signal can force the exit, unless the shutdown
      // already finished (it may cancel synchronously) and the loop should be free to end.
      if (!cancelled) wait();
    });
  }
};

shutdown_signal::shutdown_signal(event_loops& loops, std::function<void()> begin_shutdown)
    : impl_(std::make_unique<impl>(loops.loop(0), std::move(begin_shutdown))) {
  impl_->wait();
}

shutdown_signal::~shutdown_signal() = default;

void shutdown_signal::cancel() {
  impl_->cancelled = true;
  boost::system::error_code ignored;
  impl_->signals.cancel(ignored);
}

}  // namespace keel::runtime
