// Checks of the auth DTOs that their rule sets cannot say.
#include "core/auth/dto.hpp"

#include <boost/json/value.hpp>

#include "core/catalog/sections.hpp"

namespace keel::auth {

void keel_validate(const otp_request_body& body, dto::problems& found) {
  if (!body.draft) return;
  auto at = found.enter_field("draft");
  catalog::check_json_limits(boost::json::value(*body.draft), found);
}

}  // namespace keel::auth
