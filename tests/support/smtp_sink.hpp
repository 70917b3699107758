// The test SMTP sink (deploy/local/smtp_sink.py, started by test.sh): where it listens and
// what it received. Tests share one sink, so each sends to its own unique_address().
#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace keel::test {

struct received_mail {
  std::string file;
  std::string mail_from;  // the envelope sender (MAIL FROM)
  std::string rcpt_to;    // the envelope recipients (RCPT TO), comma-separated
  std::string data;       // the message exactly as the server received it

  // The first header called `name` (any case), unfolded; "" when there is none.
  std::string header(std::string_view name) const;
  std::string body() const;  // everything after the header block
};

// KEEL_TEST_SMTP_PORT / KEEL_TEST_SMTP_DIR; both throw when test.sh did not set them.
int smtp_sink_port();
std::string smtp_sink_dir();
// smtp://127.0.0.1:PORT, with "user:password@" when given (the sink accepts keel:secret).
std::string smtp_sink_url(std::string_view userinfo = "");

// An address no other test uses, so a test reads back only its own mail.
std::string unique_address();

// Every message the sink holds for envelope recipient `to`, oldest first.
std::vector<received_mail> received_for(std::string_view to);

// Waits until the sink holds at least `count` messages for `to`; returns what it holds then
// (fewer when `timeout` passed first).
std::vector<received_mail> wait_for_mail(
    std::string_view to, std::size_t count = 1,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Decodes a quoted-printable body (soft breaks and =XX escapes).
std::string decode_quoted_printable(std::string_view text);

}  // namespace keel::test
