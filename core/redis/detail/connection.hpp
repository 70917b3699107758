// One hiredis asynchronous connection, driven by its event loop: connect, commands, backoff.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/redis/client.hpp"
#include "core/redis/url.hpp"

struct redisAsyncContext;

namespace keel::redis::detail {

// hiredis's event hooks for one context (defined in connection.cpp): they watch the socket
// through an Asio descriptor and call back into hiredis when it is readable or writable.
struct watcher;

// Everything here runs on the connection's own loop thread, so nothing is locked. Commands
// of one loop share the connection: hiredis writes them in order (the ones sent in one loop
// turn leave together) and matches the replies to them in the same order.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(boost::asio::io_context& io, options o, endpoint e);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  async<reply> command(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
  // Closes the connection for good: commands in flight and later ones fail (unavailable).
  async<void> close();

  boost::asio::io_context& io() { return io_; }

  // From hiredis's callbacks, through the watcher.
  void on_connected(bool ok, const char* error);
  void on_disconnected(bool ok, const char* error);
  void on_gone(const watcher* w);

 private:
  async<void> ensure_connected(std::chrono::steady_clock::time_point deadline);
  async<void> connect();
  void attach(redisAsyncContext* ac);
  void send_setup();
  void start_connect_timer();
  void drop();
  void note_failure();
  void wake_connect_waiters();

  boost::asio::io_context& io_;
  const options options_;
  const endpoint endpoint_;

  redisAsyncContext* context_ = nullptr;  // connecting or connected; null when there is none
  std::shared_ptr<watcher> watcher_;
  std::uint64_t generation_ = 0;  // counts contexts, so late events of an old one are ignored
  bool connected_ = false;
  bool resolving_ = false;
  bool closed_ = false;
  std::vector<boost::asio::steady_timer*> connect_waiters_;
  boost::asio::steady_timer connect_timer_;

  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace keel::redis::detail
