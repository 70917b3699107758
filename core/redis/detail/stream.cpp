// Connecting to Redis over TCP or TLS with a deadline, AUTH/SELECT, and reading RESP replies.
#include "core/redis/detail/stream.hpp"

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "core/runtime/log.hpp"

namespace keel::redis::detail {
namespace net = boost::asio;
namespace ssl = net::ssl;
using net::use_awaitable;

namespace {

reply copied(const redisReply& r) {
  reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = reply::kind::string;
      break;
    case REDIS_REPLY_STATUS:
      out.type = reply::kind::status;
      break;
    case REDIS_REPLY_ERROR:
      out.type = reply::kind::error;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = reply::kind::integer;
      out.integer = r.integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = reply::kind::array;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copied(*r.element[i]));
      return out;
    default:
      return out;  // nil
  }
  out.text.assign(r.str, r.len);  // binary-safe
  return out;
}

bool is_address(const std::string& host) {
  boost::system::error_code not_address;
  net::ip::make_address(host, not_address);
  return !not_address;
}

// Asio's host check, with OpenSSL's own reason recorded when the name is wrong, so that the
// log says "hostname mismatch" rather than a bare "certificate verify failed".
struct host_check {
  ssl::host_name_verification asio_check;
  bool address;
  bool operator()(bool preverified, ssl::verify_context& ctx) const {
    if (asio_check(preverified, ctx)) return true;
    if (preverified) {
      X509_STORE_CTX_set_error(ctx.native_handle(), address ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                            : X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return false;
  }
};

}  // namespace

std::shared_ptr<ssl::context> tls_context_for(const endpoint& where, const options& o) {
  if (!where.tls) return nullptr;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (o.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(o.ca_file, ec);
  }
  if (ec) {
    throw std::invalid_argument(o.ca_file.empty() ? "the system's CA store cannot be read"
                                                  : "REDIS_CA_FILE holds no usable PEM CA");
  }
  return context;
}

void append_command(std::string& out, const std::vector<std::string>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const auto& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

void stream::reader_free::operator()(redisReader* r) const {
  redisReaderFree(r);
}

stream::stream(net::io_context& io, std::shared_ptr<ssl::context> tls)
    : plain_(io),
      tls_context_(std::move(tls)),
      resolver_(io),
      deadline_(io),
      reader_(redisReaderCreate()) {
  if (!reader_) throw std::bad_alloc();
  if (tls_context_) tls_.emplace(io, *tls_context_);
}

stream::~stream() = default;

net::ip::tcp::socket& stream::socket() {
  return tls_ ? tls_->next_layer() : plain_;
}

void stream::close() {
  boost::system::error_code ignored;
  resolver_.cancel();
  socket().close(ignored);
}

async<void> stream::connect(endpoint where, std::chrono::milliseconds timeout) {
  connecting_ = true;
  deadline_.expires_after(timeout);
  // Every step below fails at once when the socket closes; the resolver is cancelled.
  deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || !self->connecting_) return;
    self->timed_out_ = true;
    self->close();
  });
  struct deadline_off {
    stream* self;
    ~deadline_off() {
      self->connecting_ = false;
      self->deadline_.cancel();
    }
  } off{this};
  try {
    co_await open(where);
    co_await set_up(where);
  } catch (const boost::system::system_error&) {
    if (timed_out_) throw std::runtime_error("connecting to Redis timed out");
    throw;
  }
}

async<void> stream::open(const endpoint& where) {
  auto found =
      co_await resolver_.async_resolve(where.host, std::to_string(where.port), use_awaitable);
  co_await net::async_connect(socket(), found, use_awaitable);
  socket().set_option(net::ip::tcp::no_delay(true));
  if (!tls_) co_return;

  bool address = is_address(where.host);
  // SNI names the host, so a server behind a shared address shows the right certificate;
  // RFC 6066 has no place for an address there.
  if (!address && SSL_set_tlsext_host_name(tls_->native_handle(), where.host.c_str()) != 1) {
    throw std::runtime_error("the Redis host name cannot be sent in TLS (SNI)");
  }
  tls_->set_verify_callback(host_check{ssl::host_name_verification(where.host), address});
  boost::system::error_code ec;
  co_await tls_->async_handshake(ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
  if (!ec) co_return;
  if (!timed_out_) {
    // A person must act (REDIS_CA_FILE, the host of REDIS_URL, a plain port named by
    // rediss://): worth an error line on every attempt.
    long verified = SSL_get_verify_result(tls_->native_handle());
    log::error("TLS with Redis failed; check REDIS_CA_FILE and the host and port of REDIS_URL",
               {{"error",
                 verified != X509_V_OK ? X509_verify_cert_error_string(verified) : ec.message()}});
  }
  throw boost::system::system_error(ec, "TLS handshake with Redis");
}

async<void> stream::set_up(const endpoint& where) {
  std::vector<std::string> steps;
  std::string hello;
  if (!where.password.empty()) {
    steps.emplace_back("AUTH");
    append_command(hello, where.username.empty()
                              ? std::vector<std::string>{"AUTH", where.password}
                              : std::vector<std::string>{"AUTH", where.username, where.password});
  }
  if (where.database != 0) {
    steps.emplace_back("SELECT");
    append_command(hello, {"SELECT", std::to_string(where.database)});
  }
  if (steps.empty()) co_return;
  co_await write(hello);
  for (const auto& step : steps) {
    auto answer = co_await read();
    if (answer.type != reply::kind::error) continue;
    // A wrong password or no such database: Redis's message never quotes the password.
    log::error("Redis refused the connection setup; check REDIS_URL",
               {{"command", step}, {"error", answer.text}});
    throw std::runtime_error("Redis refused " + step);
  }
}

async<void> stream::write(std::string_view bytes) {
  if (tls_) {
    co_await net::async_write(*tls_, net::buffer(bytes), use_awaitable);
  } else {
    co_await net::async_write(plain_, net::buffer(bytes), use_awaitable);
  }
}

std::optional<reply> stream::parsed() {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
    throw std::runtime_error(std::string("Redis sent what is not RESP: ") + reader_->errstr);
  }
  if (raw == nullptr) return std::nullopt;
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> held(static_cast<redisReply*>(raw),
                                                               freeReplyObject);
  return copied(*held);
}

async<reply> stream::read() {
  for (;;) {
    if (auto r = parsed()) co_return std::move(*r);
    std::size_t n = tls_ ? co_await tls_->async_read_some(net::buffer(buffer_), use_awaitable)
                         : co_await plain_.async_read_some(net::buffer(buffer_), use_awaitable);
    if (redisReaderFeed(reader_.get(), buffer_.data(), n) != REDIS_OK) {
      throw std::runtime_error(std::string("Redis's replies cannot be read: ") + reader_->errstr);
    }
  }
}

}  // namespace keel::redis::detail
