// Who a valid access token speaks for: what every authenticated route receives.
#pragma once
#include "core/runtime/principal.hpp"

namespace keel::auth {

// keel's principal (core/runtime), so that routes declared `user` or `admin` hand the same
// type to the handler without the HTTP layer knowing auth. The admin check is the route's
// declaration (http::access::admin), not a call in the handler.
using principal = keel::principal;

}  // namespace keel::auth
