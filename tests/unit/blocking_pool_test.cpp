// The blocking pool under concurrent use from two event loops: hand-off to its threads and
// back, and its admission bound (run under ThreadSanitizer in CI).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"

using keel::async;
namespace runtime = keel::runtime;

namespace {

void expect(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error(what);
}

// Raises `seen` to at least `value`.
void raise_to(std::atomic<int>& seen, int value) {
  int now = seen.load();
  while (now < value && !seen.compare_exchange_weak(now, value)) {
  }
}

}  // namespace

TEST_CASE("1000 calls from two loops each run on a pool thread and resume on their own loop") {
  runtime::event_loops loops(2);
  runtime::blocking_pool pool(2);
  std::atomic<int> done{0};
  keel::test::run_concurrently(loops, 1000, [&](int i) -> async<void> {
    const auto caller = std::this_thread::get_id();
    const int loop = runtime::event_loops::current_index();
    // Written on the pool's thread, read back here without a lock: the hand-off orders them.
    std::thread::id ran_on;
    std::string result;
    std::function<void()> work = [&] {
      ran_on = std::this_thread::get_id();
      result = "call number " + std::to_string(i) + " done on the pool";
    };
    co_await pool.run(work);
    expect(ran_on != std::thread::id() && ran_on != caller, "the work ran on the caller's thread");
    expect(std::this_thread::get_id() == caller, "resumed on another thread");
    expect(runtime::event_loops::current_index() == loop, "resumed on another loop");
    expect(result == "call number " + std::to_string(i) + " done on the pool", result);
    ++done;
  });
  CHECK(done == 1000);
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("a bounded pool admits threads plus max_queued calls at once and refuses the rest busy") {
  runtime::event_loops loops(2);
  runtime::blocking_pool pool(2, 3);
  constexpr int calls = 10;
  constexpr int admitted = 2 + 3;

  // The work blocks until every call has been admitted or refused, so that none finishes and
  // frees its place early.
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> running{0}, most_running{0}, most_in_flight{0}, finished{0}, refused{0};
  std::function<void()> work = [&] {
    raise_to(most_running, ++running);
    raise_to(most_in_flight, pool.in_flight());
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return open; });
    --running;
    ++finished;
  };

  keel::test::run_concurrently(loops, calls, [&](int) -> async<void> {
    try {
      co_await pool.run(work);
    } catch (const keel::unavailable& e) {
      expect(e.code() == "busy", "refused with code " + e.code());
      if (++refused == calls - admitted) {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
      }
    }
  });
  CHECK(refused == calls - admitted);
  CHECK(finished == admitted);
  CHECK(most_running <= 2);
  CHECK(most_in_flight <= admitted);
  CHECK(pool.in_flight() == 0);
}
