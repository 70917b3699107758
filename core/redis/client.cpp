// The client's public face: one connection per event loop, commands routed to the caller's.
#include "core/redis/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/redis/detail/connection.hpp"
#include "core/redis/detail/stream.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::redis {

std::string_view error::code() const {
  std::string_view message = what();
  return message.substr(0, message.find(' '));
}

client::client(runtime::event_loops& loops, options o) : loops_(loops), options_(std::move(o)) {
  auto where = parse_url(options_.url);
  if (!where) throw std::invalid_argument("the Redis URL is not a usable redis:// URL");
  auto tls = detail::tls_context_for(*where, options_);  // loads the CAs once, for every loop
  connections_.reserve(static_cast<std::size_t>(loops_.size()));
  for (int i = 0; i < loops_.size(); ++i) {
    connections_.push_back(
        std::make_shared<detail::connection>(loops_.loop(i), options_, *where, tls));
  }
}

client::~client() = default;

detail::connection& client::current() {
  auto index = static_cast<std::size_t>(runtime::event_loops::current_index());
  return *connections_[index % connections_.size()];
}

async<reply> client::command(const std::vector<std::string>& args) {
  co_return co_await command(args, options_.command_timeout);
}

async<reply> client::command(const std::vector<std::string>& args,
                             std::chrono::milliseconds timeout) {
  auto& c = current();
  if (c.io().get_executor().running_in_this_thread()) {
    co_return co_await c.command(args, timeout);
  }
  // Called from a thread that runs no loop: the connection is only ever touched on its own.
  co_return co_await boost::asio::co_spawn(c.io(), c.command(args, timeout),
                                           boost::asio::use_awaitable);
}

async<bool> client::ping(std::chrono::milliseconds timeout) {
  static const std::vector<std::string> ping_command{"PING"};
  try {
    auto answer = co_await command(ping_command, timeout);
    co_return answer.type == reply::kind::status&& answer.text == "PONG";
  } catch (const std::exception& e) {
    log::debug("redis ping failed", {{"error", e.what()}});
    co_return false;
  }
}

async<void> client::close() {
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    co_await boost::asio::co_spawn(loops_.loop(static_cast<int>(i)), connections_[i]->close(),
                                   boost::asio::use_awaitable);
  }
}

}  // namespace keel::redis
