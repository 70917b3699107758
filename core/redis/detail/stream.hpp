// One connection to Redis on Asio, over TCP or TLS: connecting and AUTH/SELECT, RESP out,
// replies in through hiredis's reply parser. Shared by the client and the realtime broker.
#pragma once
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/redis/client.hpp"
#include "core/redis/url.hpp"
#include "core/runtime/async.hpp"

struct redisReader;

namespace keel::redis::detail {

// What every connection of one client (or broker) checks a rediss:// server against: its
// certificate must chain to REDIS_CA_FILE's CAs, or the system's. nullptr for redis://.
// Throws std::invalid_argument when the CA file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> tls_context_for(const endpoint& where, const options& o);

// Appends one command in RESP, binary-safe: each argument goes as it is, never interpolated.
void append_command(std::string& out, const std::vector<std::string>& args);

// One connection attempt and then, when it succeeds, the connection. Made anew for every
// attempt: a TLS session that failed cannot be started again. Used on one loop thread only.
// A read and a write may be in progress at once; never two reads or two writes.
class stream : public std::enable_shared_from_this<stream> {
 public:
  // `tls` null: plain TCP.
  stream(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls);
  ~stream();
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  // Resolves (without blocking), connects, does the TLS handshake (the certificate must name
  // `where.host`), then sends AUTH and SELECT when the URL asks for them and reads their
  // answers: all within `timeout`. Throws when it fails; what a person must fix (a refused
  // certificate, a refused password or database) is also logged as an error, never with the
  // password.
  async<void> connect(endpoint where, std::chrono::milliseconds timeout);

  async<void> write(std::string_view bytes);
  // The next reply; an error reply is a reply (kind::error), not an exception. Throws when the
  // connection fails or the server sends what is not RESP.
  async<reply> read();

  // Ends the connection at once: what is in progress fails (operation_aborted).
  void close();

 private:
  struct reader_free {
    void operator()(redisReader* r) const;
  };

  boost::asio::ip::tcp::socket& socket();
  async<void> open(const endpoint& where);
  async<void> set_up(const endpoint& where);
  std::optional<reply> parsed();

  boost::asio::ip::tcp::socket plain_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // kept alive for tls_
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer deadline_;  // connect() only
  bool connecting_ = false;
  bool timed_out_ = false;
  std::unique_ptr<redisReader, reader_free> reader_;
  std::array<char, 16 * 1024> buffer_{};
};

}  // namespace keel::redis::detail
