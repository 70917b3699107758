// The email.send job kind: the worker's side of mail::queue().
#pragma once
#include <memory>

namespace keel::db {
class pool;
}
namespace keel::jobs {
class registry;
}

namespace keel::mail {

class transport;

// Registers email.send in `kinds`: each job delivers the message its payload names
// ({"message_id": "<uuid>"}) through `transport`, at most once per message (sender::deliver).
// A malformed payload, a missing message or a refusal by the server discards the job at once
// (jobs::permanent_failure); any other failure is retried with backoff.
void add_send_job(jobs::registry& kinds, db::pool& db, std::shared_ptr<transport> transport);

}  // namespace keel::mail
