// A small thread pool for blocking or CPU-heavy calls (libcurl, Argon2), awaited from
// coroutines so that no event loop ever runs them.
#pragma once
#include <functional>
#include <memory>

#include "core/runtime/async.hpp"

namespace keel::runtime {

class blocking_pool {
 public:
  // `threads` run the calls. `max_queued` bounds the calls waiting for a free thread (running
  // ones not counted); negative: no bound.
  explicit blocking_pool(int threads, int max_queued = -1);
  ~blocking_pool();  // lets the calls already submitted finish
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  // Runs `work` on one of the pool's threads and resumes the caller on the executor it was
  // running on, rethrowing what `work` threw. `work` belongs to the caller (a named local) and
  // must live until the co_await returns. When max_queued calls already wait, throws
  // keel::unavailable (code "busy") at once instead of queueing without bound.
  async<void> run(const std::function<void()>& work);

  int threads() const;
  int in_flight() const;  // calls running or waiting now

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::runtime
