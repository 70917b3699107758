// Mail decisions: what a valid message is, and how a delivery stays idempotent.
#include "core/mail/service.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "core/jobs/service.hpp"
#include "core/mail/format.hpp"
#include "core/mail/store.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/log.hpp"

namespace keel::mail {
namespace {

constexpr std::size_t max_subject_bytes = 998;   // RFC 5322's line limit
constexpr std::size_t max_body_bytes = 1 << 20;  // far above any transactional mail
constexpr std::size_t max_purpose_length = 100;

// An attempt that began longer ago than this has certainly ended (every transport gives up
// within max_send_time), so its "sending" mark means the attempt died, not that it runs.
constexpr auto in_flight_window =
    std::chrono::duration_cast<std::chrono::seconds>(max_send_time + std::chrono::seconds(30));

bool is_valid_utf8(std::string_view text) {
  // The smallest code point each sequence length may encode: anything below is overlong.
  static constexpr std::uint32_t min_for[] = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = lead;
    if (lead >= 0x80) {
      if ((lead & 0xe0) == 0xc0) {
        extra = 1;
      } else if ((lead & 0xf0) == 0xe0) {
        extra = 2;
      } else if ((lead & 0xf8) == 0xf0) {
        extra = 3;
      } else {
        return false;
      }
      cp = lead & (0x3f >> extra);
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < min_for[extra] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    i += extra + 1;
  }
  return true;
}

bool has_control_characters(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool is_purpose(std::string_view p) {
  if (p.empty() || p.size() > max_purpose_length) return false;
  for (char c : p) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check_body(std::vector<field_error>& problems, std::string_view field, std::string_view body) {
  if (body.size() > max_body_bytes) {
    problems.push_back({std::string(field), "must be at most 1 MiB"});
  } else if (!is_valid_utf8(body)) {
    problems.push_back({std::string(field), "must be UTF-8 text"});
  }
}

// Every problem at once; addresses and the subject end up in headers and SMTP commands, so
// a line break in them would be header injection.
void check(const message& m) {
  std::vector<field_error> problems;
  if (!is_valid_address(m.to)) problems.push_back({"to", "must be an email address"});
  if (m.reply_to && !is_valid_address(*m.reply_to)) {
    problems.push_back({"reply_to", "must be an email address"});
  }
  if (m.subject.empty() || m.subject.size() > max_subject_bytes) {
    problems.push_back({"subject", "must be 1 to 998 bytes"});
  } else if (!is_valid_utf8(m.subject) || has_control_characters(m.subject)) {
    problems.push_back({"subject", "must be one line of UTF-8 text"});
  }
  if (m.text.empty()) problems.push_back({"text", "must not be empty"});
  check_body(problems, "text", m.text);
  if (m.html) check_body(problems, "html", *m.html);
  if (!is_purpose(m.purpose)) {
    problems.push_back({"purpose", "must be 1 to 100 of a-z, 0-9, '.', '_' and '-'"});
  }
  if (!problems.empty()) throw validation_failed(std::move(problems));
}

// The payload of the message's email.send job.
boost::json::value job_payload(const uuid& id) {
  return boost::json::object{{"message_id", id.str()}};
}

}  // namespace

async<uuid> queue(db::transaction& tx, const message& m, jobs::cause by) {
  check(m);
  auto stored = co_await store::insert(tx, m);
  jobs::enqueue_options options;
  options.queue = std::string(job_queue);
  options.request_id = std::move(by.request_id);
  options.traceparent = std::move(by.traceparent);
  // Named, not a temporary: enqueue takes it by reference across its suspensions.
  boost::json::value payload = job_payload(stored.id);
  co_await jobs::enqueue(tx, send_job_kind, payload, options);
  co_return stored.id;
}

// Delivery is at least once, made as close to exactly once as SMTP allows:
//  - a sent message is never sent again, whatever retries its job gets;
//  - the "sending" mark is committed before the SMTP conversation starts, so an attempt that
//    dies half-way is visible, and a second attempt does not start while one may be running;
//  - every attempt carries the same Message-ID, on which receivers deduplicate.
// What remains: the server accepted the message and the process died (or lost the database)
// before mark_sent committed. The job then runs again and the message goes out a second time
// with the same Message-ID. Closing that window would need the server to take part (SMTP has
// no idempotency key), so it is accepted, logged, and kept to milliseconds.
async<delivery> sender::deliver(const uuid& id) {
  auto started = co_await store::start_sending(db_, id, in_flight_window);
  if (!started) {
    auto existing = co_await store::find(db_, id);
    if (!existing) throw not_found("No mail message has this id.", "mail_message_not_found");
    if (existing->state == status::sent) {
      log::info("mail already sent; not sending again",
                {{"message_id", id.str()}, {"purpose", existing->content.purpose}});
      co_return delivery::already_sent;
    }
    throw delivery_error("another delivery attempt of this message began less than " +
                             std::to_string(in_flight_window.count()) +
                             "s ago and may still be running",
                         false);
  }
  const stored_message& m = started->message;
  if (started->previous == status::sending) {
    log::warn(
        "an earlier delivery attempt ended without recording its outcome; the recipient "
        "may get this message twice (same Message-ID)",
        {{"message_id", id.str()}, {"purpose", m.content.purpose}, {"attempt", m.attempts}});
  }

  // Only a delivery_error says the attempt is over. Anything else (a cancelled wait, say)
  // leaves the message "sending", so that no retry starts within in_flight_window.
  std::optional<delivery_error> failure;
  try {
    co_await transport_.send(m);
  } catch (const delivery_error& e) {
    failure = e;
  }
  if (failure) {
    co_await store::mark_failed(db_, id, failure->what());
    throw *failure;
  }
  co_await store::mark_sent(db_, id);
  log::info("mail sent", {{"message_id", id.str()},
                          {"purpose", m.content.purpose},
                          {"transport", transport_.name()},
                          {"attempt", m.attempts}});
  co_return delivery::sent;
}

}  // namespace keel::mail
