// The coroutine patterns GCC 12 miscompiled, each run many times with real suspensions on two
// event loops: under clang 16 (and ASan, UBSan, TSan) every value arrives intact.
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"

using keel::async;
namespace asio = boost::asio;

namespace {

// Each pattern runs this many times, all in flight at once, so that frames interleave and
// memory freed by one is reused by the next.
constexpr int runs = 2000;

// Suspends for real: the coroutine's frame outlives the expression that started it, and it
// resumes from the loop, after other coroutines ran. Odd turns go through the timer queue,
// so that the order in which frames resume is shuffled.
async<void> suspend(int turn) {
  auto ex = co_await asio::this_coro::executor;
  if (turn % 2 == 0) {
    co_await asio::post(ex, asio::use_awaitable);
  } else {
    asio::steady_timer t(ex, std::chrono::microseconds(turn % 7));
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Longer than libstdc++'s 15-character small-string buffer (on the heap) or not (in the
// object itself, which is what breaks when a frame copies a string bitwise).
std::string long_text(int i) {
  return "a string long enough to live on the heap, number " + std::to_string(i);
}
std::string short_text(int i) {
  return "s" + std::to_string(i);
}

void expect(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error(what);
}

// A class object that counts itself: after a pattern ran, every one constructed has been
// destroyed exactly once (a double destruction leaves `live` below zero), and none is used
// after its destruction (`state`, and ASan in the asan preset).
struct tracked {
  static constexpr std::uint32_t alive = 0x600df00d;
  static constexpr std::uint32_t dead = 0xdeadbeef;
  static inline std::atomic<int> live{0};
  static inline std::atomic<int> faults{0};

  std::string text;
  std::uint32_t state = alive;

  explicit tracked(std::string t) : text(std::move(t)) { ++live; }
  tracked(const tracked& other) : text(other.text) {
    check(other);
    ++live;
  }
  tracked(tracked&& other) noexcept : text(std::move(other.text)) {
    check(other);
    ++live;
  }
  tracked& operator=(const tracked&) = delete;
  ~tracked() {
    check(*this);
    state = dead;
    --live;
  }
  static void check(const tracked& t) {
    if (t.state != alive) ++faults;
  }
};

// Runs make_task(0) ... make_task(runs - 1) on two loops and checks that no tracked object
// leaked, was destroyed twice or was used dead.
template <class F>
void run_many(F make_task) {
  tracked::live = 0;
  tracked::faults = 0;
  keel::runtime::event_loops loops(2);
  keel::test::run_concurrently(loops, runs, make_task);
  CHECK(tracked::live == 0);
  CHECK(tracked::faults == 0);
}

struct order {
  std::string customer;
  int quantity = 0;
  std::vector<std::string> lines;
};

async<std::string> describe_by_value(std::string name, order o, tracked t, int turn) {
  co_await suspend(turn);
  std::string lines;
  for (const auto& l : o.lines) lines += l + ",";
  co_await suspend(turn + 1);
  co_return name + "|" + o.customer + "|" + std::to_string(o.quantity) + "|" + lines + "|" + t.text;
}

std::string expected_description(int i) {
  return short_text(i) + "|" + long_text(i) + "|" + std::to_string(i) + "|" + short_text(i + 1) +
         "," + long_text(i + 1) + ",|" + long_text(i + 2);
}

async<std::string> echo(const std::string& s, int turn) {
  co_await suspend(turn);
  co_return s;
}

async<int> number(int n, int turn) {
  co_await suspend(turn);
  co_return n;
}

async<bool> is_even(int n, int turn) {
  co_await suspend(turn);
  co_return n % 2 == 0;
}

// A class whose coroutine member runs on a temporary instance, as
// `co_await jobs::service(db).prune(...)` does: `this` must stay valid across the suspension.
class greeter {
 public:
  explicit greeter(std::string prefix) : prefix_(std::move(prefix)) {}
  async<std::string> greet(const std::string& name, int turn) {
    co_await suspend(turn);
    co_return prefix_ + " " + name;
  }

 private:
  std::string prefix_;
};

// Defaulted class arguments: the default is built by the caller, here inside a coroutine.
async<std::string> label(int turn, std::string prefix = "a default prefix longer than fifteen",
                         std::string kind = "job", tracked t = tracked("default tracked")) {
  co_await suspend(turn);
  co_return prefix + "/" + kind + "/" + t.text + "/" + std::to_string(turn);
}

}  // namespace

TEST_CASE("a coroutine taking a std::string and structs by value gets them intact") {
  run_many([](int i) -> async<void> {
    // Temporaries built in the call expression, moved into the frame.
    auto moved = co_await describe_by_value(
        short_text(i), order{long_text(i), i, {short_text(i + 1), long_text(i + 1)}},
        tracked(long_text(i + 2)), i);
    expect(moved == expected_description(i), "by value, from temporaries: " + moved);
    // Named locals, copied into the frame; the originals are left as they were.
    std::string name = short_text(i);
    order o{long_text(i), i, {short_text(i + 1), long_text(i + 1)}};
    tracked t(long_text(i + 2));
    auto copied = co_await describe_by_value(name, o, t, i + 1);
    expect(copied == expected_description(i), "by value, from copies: " + copied);
    expect(name == short_text(i) && o.customer == long_text(i) && o.lines.size() == 2 &&
               t.text == long_text(i + 2),
           "the caller's originals changed");
  });
}

TEST_CASE("class temporaries alive across a co_await keep their value") {
  run_many([](int i) -> async<void> {
    // A temporary std::string bound to a const& parameter lives until the co_await ends.
    auto short_echo = co_await echo(short_text(i), i);
    expect(short_echo == short_text(i), "short temporary: " + short_echo);
    auto long_echo = co_await echo(std::string(long_text(i)), i + 1);
    expect(long_echo == long_text(i), "long temporary: " + long_echo);
    // A coroutine member called on a temporary object.
    auto greeting = co_await greeter(long_text(i)).greet(short_text(i), i);
    expect(greeting == long_text(i) + " " + short_text(i), "temporary object: " + greeting);
    // A temporary tracked object across the suspension.
    auto tracked_echo = co_await echo(tracked(long_text(i + 3)).text, i);
    expect(tracked_echo == long_text(i + 3), "temporary member: " + tracked_echo);
  });
}

TEST_CASE("defaulted class arguments built inside a coroutine arrive and are destroyed once") {
  run_many([](int i) -> async<void> {
    auto all_defaults = co_await label(i);
    expect(all_defaults ==
               "a default prefix longer than fifteen/job/default tracked/" + std::to_string(i),
           "all defaults: " + all_defaults);
    auto some_defaults = co_await label(i, short_text(i));
    expect(some_defaults == short_text(i) + "/job/default tracked/" + std::to_string(i),
           "some defaults: " + some_defaults);
    auto none = co_await label(i, long_text(i), short_text(i), tracked(short_text(i + 1)));
    expect(none == long_text(i) + "/" + short_text(i) + "/" + short_text(i + 1) + "/" +
                       std::to_string(i),
           "no defaults: " + none);
  });
}

TEST_CASE("co_await in an if condition, a ?: and an aggregate initializer gives its value") {
  std::atomic<int> even_branches{0};
  run_many([&](int i) -> async<void> {
    if (co_await is_even(i, i)) {
      expect(i % 2 == 0, "if took the even branch for " + std::to_string(i));
      ++even_branches;
    } else {
      expect(i % 2 == 1, "if took the odd branch for " + std::to_string(i));
    }
    if (co_await echo(long_text(i), i + 1) != long_text(i)) expect(false, "if on a temporary");

    auto chosen = i % 2 == 0 ? co_await echo(short_text(i), i) : co_await echo(long_text(i), i);
    expect(chosen == (i % 2 == 0 ? short_text(i) : long_text(i)), "?: gave " + chosen);

    order o{co_await echo(long_text(i), i),
            co_await number(i, i + 1),
            {co_await echo(short_text(i), i), co_await echo(long_text(i + 1), i + 1)}};
    expect(o.customer == long_text(i) && o.quantity == i && o.lines.size() == 2 &&
               o.lines[0] == short_text(i) && o.lines[1] == long_text(i + 1),
           "aggregate initializer gave " + o.customer);
  });
  CHECK(even_branches == runs / 2);
}

TEST_CASE("braced initializer lists in a coroutine body survive a suspension") {
  run_many([](int i) -> async<void> {
    boost::json::object payload{{"message_id", long_text(i)}, {"n", i}, {"kind", "email.send"}};
    std::vector<std::string> words{"a", short_text(i), long_text(i)};
    co_await suspend(i);
    expect(payload.at("message_id").as_string() == long_text(i), "payload message_id");
    expect(payload.at("n").as_int64() == i, "payload n");
    expect(payload.at("kind").as_string() == "email.send", "payload kind");
    expect(words.size() == 3 && words[0] == "a" && words[1] == short_text(i) &&
               words[2] == long_text(i),
           "initializer list of strings");
  });
}
