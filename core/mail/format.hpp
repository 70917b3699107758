// RFC 5322 / MIME rendering: the exact bytes an SMTP server receives for a message.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/mail/dto.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::mail {

// "Name <addr>" or a bare "addr", as MAIL_FROM is written.
struct mailbox {
  std::string display_name;  // may be empty; UTF-8
  std::string address;
};

// nullopt when `text` is not one mailbox with a valid address.
std::optional<mailbox> parse_mailbox(std::string_view text);

// A plain ASCII addr-spec ("local@domain") that is safe in a header and an SMTP command:
// no spaces, quotes, angle brackets or line breaks. Internationalised addresses are refused.
bool is_valid_address(std::string_view address);

// "<0190c5a4-...@example.com>": the message id at the From domain. Derived from the id
// alone, so every delivery attempt of a message carries the same Message-ID.
std::string message_id(const uuid& id, std::string_view from_address);

// "Sat, 21 Nov 2026 15:04:05 +0000"
std::string rfc5322_date(timestamp t);

// An unstructured header value (Subject) ready to follow "Name: ": printable ASCII is folded
// at spaces, anything else becomes RFC 2047 UTF-8 encoded words, every line within 78 chars.
std::string encode_header_text(std::string_view text, std::size_t name_length);

// RFC 2045 quoted-printable with CRLF line breaks and lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

// The whole message: headers, then a text/plain body, or multipart/alternative (text, then
// HTML) when there is HTML. Rendering is deterministic: a retry sends the same bytes.
std::string render(const stored_message& m, const mailbox& from);

}  // namespace keel::mail
