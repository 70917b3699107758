// Random tokens, hashes and encodings for auth: what is stored, compared and sent (no Asio).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace keel::auth {

// RFC 4648 §5 base64url without padding, as JWTs and JWKs use it.
std::string base64url_encode(std::string_view bytes);
// nullopt when `text` is not canonical unpadded base64url (bad characters, '=', stray bits).
std::optional<std::string> base64url_decode(std::string_view text);

// `bytes` random bytes from the system CSPRNG, base64url-encoded (32 bytes: 43 characters).
std::string random_token(std::size_t bytes = 32);

// SHA-256 as 64 lowercase hex digits: refresh, verification and reset tokens are stored so,
// never as sent.
std::string sha256_hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key`, 64 lowercase hex digits: OTP codes are stored so (a
// six-digit code's plain SHA-256 would fall to a million guesses).
std::string keyed_hash_hex(std::string_view key, std::string_view data);

// Compares in time that depends on the lengths only, never on where the contents differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// A one-time code, uniform over 000000-999999 (no modulo bias).
std::string six_digit_code();

}  // namespace keel::auth
