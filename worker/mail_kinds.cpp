// Mail job kinds: email.send delivers what mail::queue() stored, through MAIL_TRANSPORT.
#include <cstdlib>

#include "core/mail/send_job.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/log.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {

void add_mail_kinds(app& app) {
  std::shared_ptr<mail::transport> transport;
  try {
    transport = mail::make_transport(app.cfg);
  } catch (const std::invalid_argument& e) {
    // A configuration problem, reported like the others: fix it and start again.
    log::error("invalid mail configuration", {{"error", e.what()}});
    std::exit(2);
  }
  mail::add_send_job(app.kinds, app.db, std::move(transport));
}

}  // namespace keel::worker
