// The text form of a delivery status, as the mail_messages.status column stores it.
#include "core/mail/dto.hpp"

#include <stdexcept>

namespace keel::mail {

std::string_view to_string(status s) {
  switch (s) {
    case status::queued:
      return "queued";
    case status::sending:
      return "sending";
    case status::sent:
      return "sent";
    case status::failed:
      return "failed";
  }
  return "queued";
}

status status_from(std::string_view text) {
  if (text == "queued") return status::queued;
  if (text == "sending") return status::sending;
  if (text == "sent") return status::sent;
  if (text == "failed") return status::failed;
  throw std::invalid_argument("unknown mail status: " + std::string(text));
}

}  // namespace keel::mail
