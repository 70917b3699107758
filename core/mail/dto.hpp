// Mail: what a feature asks to send, and a message as stored with its delivery state.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::mail {

// One email to one recipient. From is the same for every message (MAIL_FROM).
struct message {
  std::string to;                       // a bare address: "ada@example.com"
  std::string subject;                  // UTF-8, one line
  std::string text;                     // the plain-text body, always present
  std::optional<std::string> html;      // an HTML alternative to `text`
  std::optional<std::string> reply_to;  // a bare address
  std::string purpose;  // what the mail is for ("auth.verify_email"): for logs, never sent
  // The body holds a one-time secret (a code, a link's token): it is blanked once sent, and
  // the subject must not hold the secret.
  bool sensitive = false;
};

// queued → sending → sent, or sending → failed → sending → ... while the job retries.
enum class status { queued, sending, sent, failed };

std::string_view to_string(status s);
status status_from(std::string_view text);  // throws std::invalid_argument

struct stored_message {
  uuid id;
  message content;
  status state = status::queued;
  int attempts = 0;                     // delivery attempts started
  std::optional<timestamp> sending_at;  // when the latest attempt started
  std::optional<timestamp> sent_at;
  std::optional<std::string> last_error;  // the latest failed attempt's error
  timestamp created_at;                   // also the message's Date header
  timestamp updated_at;
};

}  // namespace keel::mail
