// Random tokens, hashes and encodings through libsodium.
#include "core/auth/secrets.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <stdexcept>

#include "core/auth/detail/sodium.hpp"

namespace keel::auth {
namespace detail {

void init_sodium() {
  // sodium_init is itself thread-safe and idempotent; the static keeps it to one call.
  static const int rc = sodium_init();
  if (rc < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace detail

namespace {

constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t size = 0;
  const char* end = nullptr;
  // No characters are ignored, and the whole text must be consumed: libsodium stops at the
  // first character outside the alphabet ('=' included) and rejects non-zero leftover bits,
  // so every byte string has exactly one accepted encoding.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

std::string random_token(std::size_t bytes) {
  detail::init_sodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256_hex(std::string_view data) {
  detail::init_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes_of(data), data.size());
  return hex(digest, sizeof digest);
}

std::string keyed_hash_hex(std::string_view key, std::string_view data) {
  detail::init_sodium();
  // The init/update/final form takes a key of any length (crypto_auth_hmacsha256 wants 32 bytes).
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, bytes_of(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes_of(data), data.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  return hex(mac, sizeof mac);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Lengths are not secret here (hashes and codes have fixed lengths); contents are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string six_digit_code() {
  detail::init_sodium();
  return fmt::format("{:06}", randombytes_uniform(1'000'000));
}

}  // namespace keel::auth
