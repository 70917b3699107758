// One event loop's connection to Redis: connecting in the background, pipelined commands
// with their deadlines, replies matched in order, and a backoff after failures.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/redis/client.hpp"
#include "core/redis/url.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace keel::redis::detail {

class stream;

// Everything here runs on the connection's own loop thread, so nothing is locked. Commands
// of one loop share the connection: the ones sent in one loop turn leave in one write, and
// Redis answers them in order.
class connection : public std::enable_shared_from_this<connection> {
 public:
  // `tls` null: plain TCP (redis://).
  connection(boost::asio::io_context& io, options o, endpoint e,
             std::shared_ptr<boost::asio::ssl::context> tls);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  async<reply> command(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
  // Closes the connection for good: commands in flight and later ones fail (unavailable).
  async<void> close();

  boost::asio::io_context& io() { return io_; }

 private:
  struct pending;
  // The background tasks hold the connection weakly, so that a client destroyed without
  // close() is not kept alive by its own reader.
  static async<void> connect(std::weak_ptr<connection> owner, std::shared_ptr<stream> s,
                             endpoint where, std::chrono::milliseconds timeout);
  static async<void> read_replies(std::weak_ptr<connection> owner, std::shared_ptr<stream> s);
  static async<void> write_commands(std::weak_ptr<connection> owner, std::shared_ptr<stream> s);

  async<void> ensure_connected(std::chrono::steady_clock::time_point deadline);
  void deliver(reply r);
  void lost(const std::shared_ptr<stream>& s, std::string_view why);
  void drop(std::string_view why);
  void note_failure();
  void wake_connect_waiters();

  boost::asio::io_context& io_;
  const options options_;
  const endpoint endpoint_;
  const std::shared_ptr<boost::asio::ssl::context> tls_;

  std::shared_ptr<stream> stream_;                  // connected and set up; null when there is none
  std::shared_ptr<stream> connecting_;              // the attempt in progress, if any
  std::deque<std::shared_ptr<pending>> in_flight_;  // written or about to be, oldest first
  std::string unsent_;                              // commands for stream_ not yet written
  bool writing_ = false;                            // a write_commands() runs for stream_
  bool closed_ = false;
  std::vector<boost::asio::steady_timer*> connect_waiters_;

  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace keel::redis::detail
