// The Redis client: one connection per event loop, over TCP or TLS (rediss://).
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/async.hpp"

namespace keel::runtime {
class event_loops;
}  // namespace keel::runtime

namespace keel::redis {

namespace detail {
class connection;
}  // namespace detail

struct options {
  std::string url;  // redis:// or rediss:// (TLS) [[user]:password@]host[:port][/db]
  // rediss:// only: a PEM bundle of the CAs the server's certificate must chain to; empty:
  // the system's CA store (a managed Valkey's certificate is usually signed by a public CA).
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{2000};
  // A command not answered within this long fails with keel::unavailable (timeout_code) and
  // its connection is closed: a server that stalls is treated as a server that went away.
  std::chrono::milliseconds command_timeout{1000};
};

// One reply, copied out of hiredis's reply parser (so hiredis stays out of this header).
struct reply {
  enum class kind { nil, string, status, integer, array, error };
  kind type = kind::nil;
  std::string text;  // string, status and error replies (binary-safe)
  long long integer = 0;
  std::vector<reply> elements;  // array replies; an element may be an error

  bool is_nil() const { return type == kind::nil; }
};

// Redis answered a command with an error reply (WRONGTYPE, NOSCRIPT, ERR ...). The message
// may quote the command's arguments, so it is for debugging, not for logs at info level.
class error : public std::runtime_error {
 public:
  explicit error(std::string message) : std::runtime_error(std::move(message)) {}
  // The error's first word: "NOSCRIPT", "WRONGTYPE", "ERR", ...
  std::string_view code() const;
};

// An unreachable, lost or stalled server is keel::unavailable (503) with one of these codes.
inline constexpr const char* unavailable_code = "redis_unavailable";
inline constexpr const char* timeout_code = "redis_timeout";

class client {
 public:
  // Connects lazily, on each loop's first command. Throws std::invalid_argument when the URL
  // cannot be used (without quoting it: it may hold a password) or the CA file cannot be read.
  client(runtime::event_loops& loops, options o);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends one command on the calling loop's connection: `args` (the command name first) go
  // as they are, binary-safe, never parsed or interpolated. `args` must stay alive until the
  // command completes: keep it in a named local. Error replies throw redis::error; an
  // unreachable server keel::unavailable, at once while reconnecting is backing off.
  async<reply> command(const std::vector<std::string>& args);
  async<reply> command(const std::vector<std::string>& args, std::chrono::milliseconds timeout);

  // Answers whether PING gets PONG within `timeout` (for /ready); never throws.
  async<bool> ping(std::chrono::milliseconds timeout);

  // Closes every connection; later commands throw keel::unavailable.
  async<void> close();

  const options& settings() const { return options_; }

 private:
  detail::connection& current();
  runtime::event_loops& loops_;
  options options_;
  std::vector<std::shared_ptr<detail::connection>> connections_;
};

}  // namespace keel::redis
