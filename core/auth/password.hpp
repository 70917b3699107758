// Argon2id password hashing on a bounded thread pool, never on an event loop.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "core/runtime/async.hpp"

namespace keel::auth {

struct settings;

// Argon2id cost. The defaults are OWASP's minimum (m=19 MiB, t=2); PASSWORD_HASH_MEMORY and
// PASSWORD_HASH_OPS raise them. Hashes carry their own parameters, so raising them never
// locks anyone out: verify reports needs_rehash and the caller stores a fresh hash.
struct password_params {
  std::size_t memory_bytes = 19u << 20;
  unsigned long long ops = 2;
};

struct verify_result {
  bool ok = false;
  bool needs_rehash = false;  // ok, but hashed with other parameters than the current ones
};

class password_hasher {
 public:
  // Throws std::invalid_argument for parameters libsodium refuses, threads < 1 or
  // max_queued < 0. Hashes the dummy password once (see verify_dummy), so it takes as long as
  // one hash.
  password_hasher(password_params params, int threads, int max_queued);
  // PASSWORD_HASH_MEMORY (MiB), PASSWORD_HASH_OPS, PASSWORD_HASH_THREADS, PASSWORD_HASH_QUEUE.
  explicit password_hasher(const settings& cfg);
  ~password_hasher();
  password_hasher(const password_hasher&) = delete;
  password_hasher& operator=(const password_hasher&) = delete;

  // Both run on the hashing pool and resume the caller on the executor it was running on.
  // When more than max_queued requests wait, they throw keel::unavailable (503, code "busy")
  // instead of queueing without bound.
  // hash returns the PHC string ($argon2id$v=19$m=...,t=...,p=1$salt$hash) to store.
  async<std::string> hash(const std::string& password);
  // ok=false for a wrong password and for a stored hash that is not one libsodium reads.
  async<verify_result> verify(const std::string& stored_hash, const std::string& password);
  // Spends the time of a verify against a fixed dummy hash: a login for an unknown email
  // must cost the same as a wrong password.
  async<void> verify_dummy(const std::string& password);

  const password_params& params() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::auth
