// The event-loop threads: one io_context and one thread per loop.
#include "core/runtime/event_loops.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace keel::runtime {
namespace {

// Which loop this thread runs; code on a loop finds its shard of per-loop state with it.
thread_local int current_index_ = 0;

}  // namespace

struct event_loops::work_guards {
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
};

event_loops::event_loops(int count) : guards_(std::make_unique<work_guards>()) {
  if (count < 1) count = 1;
  contexts_.reserve(count);
  for (int i = 0; i < count; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio may skip locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_->guards.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

event_loops::~event_loops() {
  stop();
  guards_.reset();
}

void event_loops::run() {
  // run() may be called again after stop() (tests run one coroutine at a time).
  for (auto& c : contexts_) c->restart();

  std::vector<std::thread> threads;
  threads.reserve(contexts_.size() - 1);
  for (int i = 1; i < size(); ++i) {
    threads.emplace_back([this, i] {
      current_index_ = i;
      contexts_[i]->run();
    });
  }
  int previous = current_index_;
  current_index_ = 0;
  contexts_[0]->run();
  current_index_ = previous;
  for (auto& t : threads) t.join();
}

void event_loops::stop() {
  for (auto& c : contexts_) c->stop();
}

void event_loops::release_work() {
  if (guards_) {
    for (auto& g : guards_->guards) g.reset();
  }
}

int event_loops::current_index() {
  return current_index_;
}

}  // namespace keel::runtime
