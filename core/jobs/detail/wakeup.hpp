// The runner's small Asio helpers: a wake-up signal between its loops, and sleeping.
#pragma once
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <utility>

#include "core/runtime/async.hpp"

namespace keel::jobs::detail {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline milliseconds until(steady::time_point t) {
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(t - steady::now()));
}

inline async<void> sleep_for(boost::asio::io_context& io, milliseconds d) {
  boost::asio::steady_timer timer(io, d);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

// Wakes one waiting coroutine. A notify() that comes while nobody waits is kept, so the next
// wait() returns at once: with one thread, no wake-up can be lost between check and wait.
class wakeup {
 public:
  explicit wakeup(boost::asio::io_context& io) : timer_(io) {}
  void notify() {
    pending_ = true;
    timer_.cancel();
  }
  // True when notified, false when `timeout` passed first.
  async<bool> wait(milliseconds timeout) {
    if (std::exchange(pending_, false)) co_return true;
    timer_.expires_after(timeout);
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return std::exchange(pending_, false);
  }

 private:
  boost::asio::steady_timer timer_;
  bool pending_ = false;
};

}  // namespace keel::jobs::detail
