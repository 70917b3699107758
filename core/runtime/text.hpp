// Text from clients: whether it is valid UTF-8 without NUL, and how to clean and clip it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace keel::text {

// The byte length of the well-formed UTF-8 character at the start of `s` (RFC 3629: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0 when it starts ill-formed.
// NUL counts as well-formed here; is_clean refuses it.
std::size_t char_length(std::string_view s);

// True when `s` is well-formed UTF-8 holding no NUL: what PostgreSQL's text accepts.
bool is_clean(std::string_view s);

// The message a client reads when a value of theirs is not clean.
inline constexpr std::string_view unclean_message = "must be UTF-8 text without NUL characters";

// `s` with each ill-formed byte and each NUL replaced by U+FFFD, cut to at most `max_bytes`
// bytes without splitting a character: safe to store whatever a client sent.
std::string cleaned(std::string_view s, std::size_t max_bytes);

}  // namespace keel::text
