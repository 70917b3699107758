// The auth.password_reset job kind: keel-worker's side of service::forgot_password(), which
// looks the address up off the request so that known and unknown addresses answer alike.
#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/audit/dto.hpp"

namespace keel::db {
class pool;
}
namespace keel::jobs {
class registry;
}

namespace keel::auth {

inline constexpr std::string_view reset_job_kind = "auth.password_reset";

// What the job needs: the address as typed (normalized), the web app the link points at (the
// keel-api's APP_URL: the worker does not read it) and where the request came from, for the
// audit row.
boost::json::value reset_job_payload(const std::string& email, const std::string& app_url,
                                     const audit::origin& from);

// Registers auth.password_reset in `kinds`: for an account that exists and is not disabled,
// a job stores a reset token, queues the mail with its link and writes the audit row, in one
// transaction; for any other address it does nothing. A malformed payload discards the job.
// A job run again after a crash sends a second link, which is harmless: each works once and
// expires in an hour.
void add_reset_job(jobs::registry& kinds, db::pool& db);

}  // namespace keel::auth
