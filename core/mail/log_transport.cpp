// The development transport: a message goes to the log instead of a mail server.
#include "core/mail/transport.hpp"
#include "core/runtime/log.hpp"

namespace keel::mail {
namespace {

// Links and one-time codes are logged on purpose: a developer signs up locally and reads the
// verification link here. That is why MAIL_TRANSPORT=log must never run in production.
class log_transport final : public transport {
 public:
  explicit log_transport(mailbox from) : from_(std::move(from)) {}

  async<void> send(const stored_message& m) override {
    const message& c = m.content;
    std::string id = m.id.str();
    log::info("mail not delivered: development transport (MAIL_TRANSPORT=log)",
              {{"transport", "log"},
               {"message_id", id},
               {"purpose", c.purpose},
               {"from", from_.address},
               {"to", c.to},
               {"subject", c.subject},
               {"text", c.text},
               {"has_html", c.html.has_value()}});
    co_return;
  }

  std::string_view name() const override { return "log"; }

 private:
  mailbox from_;
};

}  // namespace

std::unique_ptr<transport> make_log_transport(mailbox from) {
  log::warn("mail transport: log (development only: messages are logged, not delivered)");
  return std::make_unique<log_transport>(std::move(from));
}

}  // namespace keel::mail
