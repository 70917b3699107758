// Argon2id through libsodium's crypto_pwhash_str*, run on a runtime::blocking_pool.
#include "core/auth/password.hpp"

#include <sodium.h>

#include <functional>
#include <stdexcept>

#include "core/auth/detail/sodium.hpp"
#include "core/auth/secrets.hpp"
#include "core/auth/settings.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/log.hpp"

namespace keel::auth {
namespace {

std::string hash_now(const password_params& params, const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops, params.memory_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The only failure with valid parameters: the memory could not be allocated.
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

// libsodium reads the stored hash as a C string of fewer than crypto_pwhash_STRBYTES bytes.
bool readable(const std::string& stored_hash) {
  return !stored_hash.empty() && stored_hash.size() < crypto_pwhash_STRBYTES &&
         stored_hash.find('\0') == std::string::npos;
}

verify_result verify_now(const password_params& params, const std::string& stored_hash,
                         const std::string& password) {
  if (!readable(stored_hash)) {
    log::warn("a stored password hash is not in a format libsodium reads");
    return {};
  }
  if (crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) != 0) {
    return {};
  }
  // 1 for other parameters or another algorithm (argon2i), -1 for an unreadable string.
  int rehash = crypto_pwhash_str_needs_rehash(stored_hash.c_str(), params.ops, params.memory_bytes);
  return {.ok = true, .needs_rehash = rehash != 0};
}

password_params checked(password_params params) {
  if (params.memory_bytes < crypto_pwhash_MEMLIMIT_MIN ||
      params.memory_bytes > crypto_pwhash_MEMLIMIT_MAX) {
    throw std::invalid_argument("password hashing memory is out of libsodium's range");
  }
  if (params.ops < crypto_pwhash_OPSLIMIT_MIN || params.ops > crypto_pwhash_OPSLIMIT_MAX) {
    throw std::invalid_argument("password hashing ops are out of libsodium's range");
  }
  return params;
}

}  // namespace

struct password_hasher::impl {
  impl(password_params p, int threads, int max_queued)
      : params(checked(p)), pool(threads, max_queued) {}
  password_params params;
  runtime::blocking_pool pool;
  std::string dummy_hash;  // of a random password nobody knows, with the current parameters
};

password_hasher::password_hasher(password_params params, int threads, int max_queued) {
  detail::init_sodium();
  if (threads < 1) throw std::invalid_argument("password hashing needs at least one thread");
  if (max_queued < 0) throw std::invalid_argument("the password hashing queue cannot be negative");
  impl_ = std::make_unique<impl>(params, threads, max_queued);
  impl_->dummy_hash = hash_now(impl_->params, random_token());
}

password_hasher::password_hasher(const settings& cfg)
    : password_hasher(
          password_params{.memory_bytes = static_cast<std::size_t>(cfg.password_hash_memory) << 20,
                          .ops = static_cast<unsigned long long>(cfg.password_hash_ops)},
          cfg.password_hash_threads, cfg.password_hash_queue) {}

password_hasher::~password_hasher() = default;

const password_params& password_hasher::params() const {
  return impl_->params;
}

async<std::string> password_hasher::hash(const std::string& password) {
  std::string result;
  std::function<void()> work = [&] { result = hash_now(impl_->params, password); };
  co_await impl_->pool.run(work);
  co_return result;
}

async<verify_result> password_hasher::verify(const std::string& stored_hash,
                                             const std::string& password) {
  verify_result result;
  std::function<void()> work = [&] { result = verify_now(impl_->params, stored_hash, password); };
  co_await impl_->pool.run(work);
  co_return result;
}

async<void> password_hasher::verify_dummy(const std::string& password) {
  std::function<void()> work = [&] {
    // The answer is always "no"; only the time spent matters.
    [[maybe_unused]] int never_ok =
        crypto_pwhash_str_verify(impl_->dummy_hash.c_str(), password.data(), password.size());
  };
  co_await impl_->pool.run(work);
}

}  // namespace keel::auth
