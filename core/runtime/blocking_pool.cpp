// The blocking pool: an asio::thread_pool with an admission count in front of it.
#include "core/runtime/blocking_pool.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "core/runtime/error.hpp"

namespace keel::runtime {

struct blocking_pool::impl {
  impl(int threads, int max_queued)
      : threads(threads),
        // Admission counts running and waiting calls: `threads` may run, `max_queued` wait.
        max_in_flight(max_queued < 0 ? -1 : threads + max_queued),
        pool(static_cast<std::size_t>(threads)) {}

  int threads;
  int max_in_flight;
  std::atomic<int> in_flight{0};
  boost::asio::thread_pool pool;
};

namespace {

// The coroutine that co_spawn starts on the pool; its completion goes back to the caller's
// executor (co_spawn dispatches the handler through the awaiting coroutine's executor).
async<void> run_on_pool(std::atomic<int>& in_flight, const std::function<void()>& work) {
  struct leave {
    std::atomic<int>& count;
    ~leave() { count.fetch_sub(1); }
  } guard{in_flight};
  work();
  co_return;
}

}  // namespace

blocking_pool::blocking_pool(int threads, int max_queued) {
  if (threads < 1) throw std::invalid_argument("blocking_pool needs at least one thread");
  impl_ = std::make_unique<impl>(threads, max_queued);
}

blocking_pool::~blocking_pool() {
  impl_->pool.join();
}

async<void> blocking_pool::run(const std::function<void()>& work) {
  impl& s = *impl_;
  if (s.in_flight.fetch_add(1) >= s.max_in_flight && s.max_in_flight >= 0) {
    s.in_flight.fetch_sub(1);
    // A full queue drains within a few hashes' time: a second is long enough to wait.
    throw unavailable("The server is busy; try again in a moment.", "busy", 1);
  }
  auto on_pool =
      boost::asio::co_spawn(s.pool, run_on_pool(s.in_flight, work), boost::asio::use_awaitable);
  co_await std::move(on_pool);
}

int blocking_pool::threads() const {
  return impl_->threads;
}

int blocking_pool::in_flight() const {
  return impl_->in_flight.load();
}

}  // namespace keel::runtime
