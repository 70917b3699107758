// The mail settings keel-worker reads (MAIL_TRANSPORT, SMTP_URL, MAIL_FROM): SMTP in
// production, the log only on a developer's machine.
#pragma once
#include <string>

#include "core/runtime/config.hpp"

namespace keel::mail {

struct settings {
  std::string transport;  // "smtp" or "log"; when unset, smtp if SMTP_URL is set, else log
  std::string smtp_url;   // secret: it holds the SMTP credentials
  std::string from = "keel <no-reply@localhost>";

  static const runtime::declaration<settings>& declared();
};

}  // namespace keel::mail
