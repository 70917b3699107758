// The mail variables, and the checks that keep a production deployment from writing sign-in
// codes and links to its log instead of sending them.
#include "core/mail/settings.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/mail/format.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/settings.hpp"

namespace keel::mail {

const runtime::declaration<settings>& settings::declared() {
  using s = settings;
  static const runtime::declaration<settings> d{
      .variables =
          {
              {"MAIL_TRANSPORT", &s::transport, "", false, false,
               "smtp (send through SMTP_URL) or log (write messages to the log, development "
               "only); unset: smtp when SMTP_URL is set, else log"},
              {"SMTP_URL", &s::smtp_url, "", false, true,
               "SMTP server, e.g. smtp://user:pass@host:587 (STARTTLS when offered); required "
               "when APP_ENV=production"},
              {"MAIL_FROM", &s::from, "keel <no-reply@localhost>", false, false,
               "The From address of every message"},
          },
      .check =
          [](settings& s, const runtime::settings& common, runtime::problem_list& problems) {
            if (s.transport.empty()) s.transport = s.smtp_url.empty() ? "log" : "smtp";
            if (s.transport != "log" && s.transport != "smtp") {
              problems.push_back(
                  fmt::format("MAIL_TRANSPORT={:?} must be smtp or log", s.transport));
            }
            if (common.production() && s.transport == "log") {
              problems.push_back(
                  "MAIL_TRANSPORT=log is refused when APP_ENV=production: it writes every "
                  "sign-in code and link to the log instead of sending it");
            }
            if (s.smtp_url.empty()) {
              if (s.transport == "smtp") {
                problems.push_back("SMTP_URL is required when MAIL_TRANSPORT=smtp");
              } else if (common.production()) {
                problems.push_back("SMTP_URL is required when APP_ENV=production");
              }
            } else if (s.transport == "smtp") {
              try {
                check_smtp_url(s.smtp_url);
              } catch (const std::invalid_argument& e) {
                problems.emplace_back(e.what());  // names the problem, never the URL
              }
            }
            if (!parse_mailbox(s.from)) {
              problems.push_back(
                  fmt::format("MAIL_FROM={:?} is not a mailbox like \"Name <addr@host>\"", s.from));
            }
          },
  };
  return d;
}

}  // namespace keel::mail
