// Mail: queueing a message with the business write that causes it, and delivering it once.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/jobs/dto.hpp"
#include "core/mail/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::mail {

class transport;

// The job kind that delivers one queued message; its payload is {"message_id": "<uuid>"}.
inline constexpr std::string_view send_job_kind = "email.send";
// Mail runs on its own job queue, so that a burst of mail never starves other jobs.
inline constexpr std::string_view job_queue = "mail";

// Checks `m`, stores it and enqueues its email.send job, both in `tx`: the mail exists (and
// is sent) if and only if the caller's transaction commits. `by` (the HTTP request that caused
// the mail and its trace) travels with the job into the worker's logs. Throws
// keel::validation_failed listing every problem.
async<uuid> queue(db::transaction& tx, const message& m, jobs::cause by = {});

enum class delivery { sent, already_sent };

// Delivers queued messages through a transport; what the email.send job calls.
class sender {
 public:
  sender(db::pool& db, transport& transport) : db_(db), transport_(transport) {}

  // Sends message `id` unless it was sent already, so a retried job never sends twice.
  // Throws keel::not_found when there is no such message and mail::delivery_error when
  // sending failed (permanent() tells whether a retry could succeed).
  async<delivery> deliver(const uuid& id);

 private:
  db::pool& db_;
  transport& transport_;
};

}  // namespace keel::mail
