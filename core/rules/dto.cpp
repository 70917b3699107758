// Checks of the rules DTOs that their rule sets cannot say.
#include "core/rules/dto.hpp"

#include <boost/json/value.hpp>

#include "core/dto/formats.hpp"

namespace keel::rulebook {

void keel_validate(const draft_body& body, dto::problems& found) {
  auto at = found.enter_field("payload");
  catalog::check_json_limits(boost::json::value(body.payload), found);
}

void keel_validate(const publish_body& body, dto::problems& found) {
  if (!body.stakeholder_emails) return;
  auto at = found.enter_field("stakeholder_emails");
  for (std::size_t i = 0; i < body.stakeholder_emails->size(); ++i) {
    const std::string& email = (*body.stakeholder_emails)[i];
    if (email.size() > 254 || !dto::matches_format(email, dto::format::email)) {
      auto item = found.enter_index(i);
      found.add("must be an email address");
    }
  }
}

}  // namespace keel::rulebook
