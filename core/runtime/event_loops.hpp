// N event-loop threads, one io_context each: a connection and its database
// connections live on one loop, so the hot path takes no locks.
#pragma once
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace keel::runtime {

class event_loops {
 public:
  explicit event_loops(int count);
  ~event_loops();
  event_loops(const event_loops&) = delete;
  event_loops& operator=(const event_loops&) = delete;

  int size() const { return static_cast<int>(contexts_.size()); }
  boost::asio::io_context& loop(int index) { return *contexts_.at(index); }

  // Runs every loop on its own thread (the calling thread runs loop 0) and returns
  // when all of them ran out of work or were stopped.
  void run();
  void stop();

  // The index of the loop the calling thread runs; 0 on any other thread.
  static int current_index();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  // Keeps each loop alive while it has nothing to do, until stop() or release_work().
  struct work_guards;
  std::unique_ptr<work_guards> guards_;

 public:
  // Lets the loops end once their pending work is done (graceful shutdown's last step).
  void release_work();
};

}  // namespace keel::runtime
