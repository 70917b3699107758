// Mail job kinds: email.send delivers what mail::queue() stored, through MAIL_TRANSPORT.
#include "core/mail/send_job.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {

void add_mail_kinds(jobs::registry& kinds, db::pool& db,
                    std::shared_ptr<mail::transport> transport) {
  mail::add_send_job(kinds, db, std::move(transport));
}

}  // namespace keel::worker
