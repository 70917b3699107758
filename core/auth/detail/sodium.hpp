// libsodium's one-time initialisation, shared by the auth sources.
#pragma once

namespace keel::auth::detail {

// Initialises libsodium once (thread-safe); throws std::runtime_error when it cannot.
void init_sodium();

}  // namespace keel::auth::detail
