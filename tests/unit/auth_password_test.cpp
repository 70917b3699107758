// Argon2id password hashing: results, rehash, the dummy verify, the bounded pool, threads.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <thread>

#include "core/auth/password.hpp"
#include "core/auth/settings.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/error.hpp"

using namespace keel;
using namespace keel::auth;
namespace asio = boost::asio;

namespace {

// OWASP's minimum, the default: every test hashes at the cost production pays at least.
const password_params owasp{};

// Runs `make()` on a fresh single-threaded io_context on this thread; returns its value.
template <class F>
auto run(F make) {
  asio::io_context io;
  using value_type = typename decltype(make())::value_type;
  std::exception_ptr error;
  std::optional<value_type> value;
  asio::co_spawn(io, make(), [&](std::exception_ptr e, value_type v) {
    error = e;
    if (!e) value.emplace(std::move(v));
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

std::chrono::steady_clock::duration fastest_of_three(const std::function<void()>& f) {
  auto best = std::chrono::steady_clock::duration::max();
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::steady_clock::now() - start);
  }
  return best;
}

}  // namespace

TEST_CASE("a hashed password verifies; a wrong one does not") {
  password_hasher hasher(owasp, 1, 4);
  std::string password = "correct horse battery staple";
  std::string wrong = "correct horse battery stapler";
  std::string stored = run([&]() { return hasher.hash(password); });
  CHECK(stored.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  CHECK(stored.find(password) == std::string::npos);

  auto good = run([&]() { return hasher.verify(stored, password); });
  CHECK(good.ok);
  CHECK_FALSE(good.needs_rehash);
  auto bad = run([&]() { return hasher.verify(stored, wrong); });
  CHECK_FALSE(bad.ok);

  // Salted: the same password hashes differently every time, and both verify.
  std::string again = run([&]() { return hasher.hash(password); });
  CHECK(again != stored);
  CHECK(run([&]() { return hasher.verify(again, password); }).ok);
}

TEST_CASE("a stored hash that libsodium cannot read does not verify") {
  password_hasher hasher(owasp, 1, 4);
  std::string password = "pw";
  for (std::string stored :
       {std::string(), std::string("plain text"), std::string("$argon2id$v=19$m=19456,t=2,p=1$"),
        std::string(200, 'x'), std::string("$argon2id\0x", 11)}) {
    CHECK_FALSE(run([&]() { return hasher.verify(stored, password); }).ok);
  }
}

TEST_CASE("a hash made with other parameters verifies and asks to be redone") {
  password_hasher old_hasher(owasp, 1, 4);
  password_hasher stronger(password_params{.memory_bytes = 19u << 20, .ops = 3}, 1, 4);
  std::string password = "hunter22";
  std::string stored = run([&]() { return old_hasher.hash(password); });
  auto result = run([&]() { return stronger.verify(stored, password); });
  CHECK(result.ok);
  CHECK(result.needs_rehash);
  std::string rehashed = run([&]() { return stronger.hash(password); });
  auto after = run([&]() { return stronger.verify(rehashed, password); });
  CHECK(after.ok);
  CHECK_FALSE(after.needs_rehash);
  // A wrong password never reports needs_rehash.
  std::string wrong = "hunter23";
  CHECK_FALSE(run([&]() { return stronger.verify(stored, wrong); }).needs_rehash);
}

TEST_CASE("verify_dummy costs about what verifying a wrong password costs") {
  password_hasher hasher(owasp, 1, 4);
  std::string password = "some password";
  std::string attempt = "another password";
  std::string stored = run([&]() { return hasher.hash(password); });
  auto real = fastest_of_three([&] { run([&]() { return hasher.verify(stored, attempt); }); });
  auto dummy = fastest_of_three([&] {
    asio::io_context io;
    asio::co_spawn(io, hasher.verify_dummy(attempt), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
  });
  // Loose bounds: the point is that the dummy really runs Argon2id with the same cost.
  INFO("verify " << real.count() << ", dummy " << dummy.count());
  CHECK(dummy * 3 > real);
  CHECK(dummy < real * 3);
}

TEST_CASE("when the queue is full, hashing answers 503 busy instead of waiting") {
  // One thread, one waiting place: of five requests made at once, three are refused.
  password_hasher hasher(owasp, 1, 1);
  asio::io_context io;
  std::string password = "pw";
  int done = 0, busy = 0, other = 0;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io, hasher.hash(password), [&](std::exception_ptr e, std::string) {
      if (!e) return void(++done);
      try {
        std::rethrow_exception(e);
      } catch (const keel::unavailable& u) {
        CHECK(u.code() == "busy");
        CHECK(u.kind() == keel::error_kind::unavailable);
        CHECK(u.retry_after_seconds() == 1);  // the 503 carries Retry-After: 1
        ++busy;
      } catch (...) {
        ++other;
      }
    });
  }
  io.run();
  CHECK(done == 2);
  CHECK(busy == 3);
  CHECK(other == 0);
  // Once the queue drains, requests are taken again.
  CHECK_FALSE(run([&]() { return hasher.hash(password); }).empty());
}

TEST_CASE("hashing runs off the caller's thread, which stays free, and resumes on it") {
  password_hasher hasher(owasp, 1, 4);
  asio::io_context io;
  std::string password = "pw";
  auto caller = std::this_thread::get_id();
  std::thread::id resumed_on;
  bool hash_done = false;
  bool timer_fired_during_hash = false;
  asio::co_spawn(
      io,
      [&]() -> async<void> {
        std::string stored = co_await hasher.hash(password);
        resumed_on = std::this_thread::get_id();
        hash_done = !stored.empty();
      },
      asio::detached);
  // Argon2id at 19 MiB takes tens of milliseconds: a 1 ms timer on the same single-threaded
  // io_context fires before it ends only if the hash is not running on that thread.
  asio::steady_timer timer(io, std::chrono::milliseconds(1));
  timer.async_wait([&](boost::system::error_code) { timer_fired_during_hash = !hash_done; });
  io.run();
  CHECK(hash_done);
  CHECK(timer_fired_during_hash);
  CHECK(resumed_on == caller);
}

TEST_CASE("the blocking pool runs work on its own threads and resumes on the caller's loop") {
  runtime::blocking_pool pool(2, 0);
  asio::io_context io;
  std::thread::id io_thread, work_thread, resumed_on;
  std::function<void()> work = [&] { work_thread = std::this_thread::get_id(); };
  asio::co_spawn(
      io,
      [&]() -> async<void> {
        co_await pool.run(work);
        resumed_on = std::this_thread::get_id();
      },
      asio::detached);
  std::thread loop([&] {
    io_thread = std::this_thread::get_id();
    io.run();
  });
  loop.join();
  CHECK(work_thread != std::thread::id());
  CHECK(work_thread != io_thread);
  CHECK(work_thread != std::this_thread::get_id());
  CHECK(resumed_on == io_thread);
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("the blocking pool hands back what the work threw") {
  runtime::blocking_pool pool(1);
  std::function<void()> work = [] { throw std::runtime_error("from the pool"); };
  asio::io_context io;
  std::string caught;
  asio::co_spawn(
      io,
      [&]() -> async<void> {
        try {
          co_await pool.run(work);
        } catch (const std::runtime_error& e) {
          caught = e.what();
        }
      },
      asio::detached);
  io.run();
  CHECK(caught == "from the pool");
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("the hasher reads its cost and pool size from the configuration") {
  keel::auth::settings cfg;
  cfg.password_hash_memory = 20;
  cfg.password_hash_ops = 3;
  cfg.password_hash_threads = 1;
  cfg.password_hash_queue = 8;
  password_hasher hasher(cfg);
  CHECK(hasher.params().memory_bytes == 20u << 20);
  CHECK(hasher.params().ops == 3);
  std::string password = "pw";
  CHECK(run([&]() { return hasher.hash(password); }).find("$m=20480,t=3,") != std::string::npos);
  CHECK_THROWS_AS(password_hasher(password_params{.memory_bytes = 1024, .ops = 2}, 1, 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(password_hasher(owasp, 0, 1), std::invalid_argument);
}
