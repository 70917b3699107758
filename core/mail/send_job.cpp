// The email.send handler: reads the payload and lets mail::sender do the delivery.
#include "core/mail/send_job.hpp"

#include "core/jobs/registry.hpp"
#include "core/mail/service.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/error.hpp"

namespace keel::mail {
namespace {

uuid message_id_of(const boost::json::value& payload) {
  const auto* object = payload.if_object();
  const auto* field = object ? object->if_contains("message_id") : nullptr;
  const auto* text = field ? field->if_string() : nullptr;
  auto id = text ? uuid::parse(*text) : std::nullopt;
  if (!id) throw jobs::permanent_failure("email.send payload has no valid message_id");
  return *id;
}

// Owns what the handler needs, for as long as the registry keeps the handler.
struct send_job {
  std::shared_ptr<mail::transport> transport;
  mail::sender sender;

  async<void> operator()(const boost::json::value& payload, jobs::job_context&) {
    uuid id = message_id_of(payload);
    try {
      co_await sender.deliver(id);
    } catch (const not_found&) {
      throw jobs::permanent_failure("mail message " + id.str() + " does not exist");
    } catch (const delivery_error& e) {
      if (e.permanent()) throw jobs::permanent_failure(e.what());
      throw;
    }
  }
};

}  // namespace

void add_send_job(jobs::registry& kinds, db::pool& db, std::shared_ptr<transport> transport) {
  auto job = std::make_shared<send_job>(send_job{transport, sender(db, *transport)});
  kinds.add(std::string(send_job_kind),
            [job](const boost::json::value& payload, jobs::job_context& ctx) -> async<void> {
              return (*job)(payload, ctx);
            },
            // Longer than any SMTP conversation (max_send_time), so a slow server fails the
            // attempt through its own timeout; retries start at 10 s and wait an hour at most.
            {.timeout = std::chrono::minutes(2),
             .backoff_base = std::chrono::seconds(10),
             .backoff_cap = std::chrono::hours(1)});
}

}  // namespace keel::mail
