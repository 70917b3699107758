// Picks the transport MAIL_TRANSPORT names.
#include "core/mail/transport.hpp"

#include "core/mail/settings.hpp"

namespace keel::mail {

std::unique_ptr<transport> make_transport(const settings& cfg) {
  auto from = parse_mailbox(cfg.from);
  if (!from) throw std::invalid_argument("MAIL_FROM is not a mailbox like \"Name <addr@host>\"");
  if (cfg.transport == "smtp") {
    return make_smtp_transport({.url = cfg.smtp_url, .from = std::move(*from)});
  }
  if (cfg.transport == "log") return make_log_transport(std::move(*from));
  throw std::invalid_argument("MAIL_TRANSPORT must be smtp or log");
}

}  // namespace keel::mail
