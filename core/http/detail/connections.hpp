// Private to the server: the per-loop set of open connections, their timeouts and closing.
#pragma once
#include "core/http/detail/state.hpp"

namespace keel::http::detail {

// Keeps a connection in its loop's set for as long as the session runs.
class registration {
 public:
  registration(loop_state& loop, connection& c);
  ~registration();
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;

 private:
  loop_state& loop_;
  std::list<connection*>::iterator at_;
};

// Cancels the pending operation of every connection past its deadline, a few times per
// shortest timeout, until the loop is stopped.
net::awaitable<void> sweep(loop_state& loop);

// Cancels connections waiting for a request (all of them when `everyone`); their sessions
// then end. Runs on the loop's thread.
void close_connections(loop_state& loop, bool everyone);

}  // namespace keel::http::detail
