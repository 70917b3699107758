// How a rendered message leaves the process: SMTP in production, the log in development.
#pragma once
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/mail/dto.hpp"
#include "core/mail/format.hpp"
#include "core/runtime/async.hpp"

namespace keel::mail {

struct settings;

// A delivery attempt failed. `permanent` when the server refused the message itself (a 5xx
// reply to MAIL, RCPT or DATA): sending it again cannot succeed. Anything else (no
// connection, a timeout, a 4xx, refused credentials that ops may fix) is worth a retry.
// The message never contains SMTP credentials.
class delivery_error : public std::runtime_error {
 public:
  delivery_error(std::string message, bool permanent)
      : std::runtime_error(std::move(message)), permanent_(permanent) {}
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

// The longest a transport may take over one message, connection included; an attempt that
// started longer ago than this has ended one way or another (see sender::deliver).
inline constexpr std::chrono::seconds max_send_time{70};

class transport {
 public:
  virtual ~transport() = default;
  // Hands `m` to the next hop; returns once it accepted it. Throws delivery_error.
  virtual async<void> send(const stored_message& m) = 0;
  virtual std::string_view name() const = 0;
};

struct smtp_options {
  std::string url;  // smtp://user:pass@host:587 or smtps://...; secret: it holds credentials
  mailbox from;     // MAIL_FROM: the From header and the envelope sender
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};  // the whole SMTP conversation
  int threads = 2;  // blocking libcurl calls run here, never on an event loop
};

// Throws std::invalid_argument naming what is wrong with the URL (never the URL itself).
std::unique_ptr<transport> make_smtp_transport(smtp_options options);

// Development only: writes each message, links and codes included, to the log.
std::unique_ptr<transport> make_log_transport(mailbox from);

// Throws std::invalid_argument naming what is wrong with an SMTP URL (never the URL itself).
void check_smtp_url(const std::string& url);

// The transport MAIL_TRANSPORT names, configured from SMTP_URL and MAIL_FROM (checked when
// the configuration was read); throws std::invalid_argument when they are unusable.
std::unique_ptr<transport> make_transport(const settings& cfg);

}  // namespace keel::mail
