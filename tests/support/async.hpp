// Running coroutines to completion on event loops from a test's own (non-loop) thread.
#pragma once
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>

#include "core/runtime/async.hpp"
#include "core/runtime/event_loops.hpp"

namespace keel::test {

// Waits `d` on the calling coroutine's loop without blocking it.
inline async<void> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// Runs the awaitable that make_awaitable() returns on loop `index` (so code in it uses that
// loop's pool shard), with every loop running, and returns its value or rethrows its error.
// The loops are stopped, not destroyed, afterwards: call it again for the next step.
template <class F>
auto run_async(runtime::event_loops& loops, F make_awaitable, int index = 0) {
  using value_type = typename decltype(make_awaitable())::value_type;
  std::exception_ptr error;
  if constexpr (std::is_void_v<value_type>) {
    boost::asio::co_spawn(loops.loop(index), make_awaitable(), [&](std::exception_ptr e) {
      error = e;
      loops.stop();
    });
    loops.run();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<value_type> value;
    boost::asio::co_spawn(loops.loop(index), make_awaitable(),
                          [&](std::exception_ptr e, value_type v) {
                            error = e;
                            if (!e) value.emplace(std::move(v));
                            loops.stop();
                          });
    loops.run();
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
}

// Runs make_task(0) ... make_task(count - 1) concurrently, task i on loop i % loops.size(),
// waits for all of them and rethrows the first error.
template <class F>
void run_concurrently(runtime::event_loops& loops, int count, F make_task) {
  if (count <= 0) return;
  std::atomic<int> left{count};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  for (int i = 0; i < count; ++i) {
    boost::asio::co_spawn(loops.loop(i % loops.size()), make_task(i), [&](std::exception_ptr e) {
      if (e) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = e;
      }
      if (left.fetch_sub(1) == 1) loops.stop();
    });
  }
  loops.run();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace keel::test
