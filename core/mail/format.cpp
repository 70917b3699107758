// Message rendering: headers (RFC 5322, RFC 2047 encoded words) and MIME bodies (RFC 2045/2046).
#include "core/mail/format.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <vector>

namespace keel::mail {
namespace {

// RFC 5322's recommended line limit, CRLF excluded; 998 is the hard one.
constexpr std::size_t max_line = 78;
// Bytes of UTF-8 per encoded word: "=?UTF-8?B?" + base64(42 bytes) + "?=" is 68 characters,
// so even the first one after "Subject: " stays within max_line.
constexpr std::size_t encoded_word_bytes = 42;

bool is_printable_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// RFC 5322 atext: what may appear in a display name without quotes.
bool is_atext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_domain_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_local_part_char(char c) {
  return is_atext(c) || c == '.';
}

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Splits UTF-8 text into chunks of at most `max_bytes`, never inside a character.
std::vector<std::string_view> utf8_chunks(std::string_view text, std::size_t max_bytes) {
  std::vector<std::string_view> chunks;
  while (!text.empty()) {
    std::size_t n = std::min(max_bytes, text.size());
    // A continuation byte (10xxxxxx) at the cut means the cut is inside a character.
    while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;
    if (n == 0) n = std::min(max_bytes, text.size());  // not UTF-8: cut anyway
    chunks.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  return chunks;
}

std::string encoded_words(std::string_view text) {
  std::string out;
  for (auto chunk : utf8_chunks(text, encoded_word_bytes)) {
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(chunk) + "?=";
  }
  return out;
}

// Folds printable ASCII at spaces (the space moves to the start of the next line, as
// RFC 5322 folding requires). A word longer than a line is left whole: 998 still holds,
// because the subject is limited to that length.
std::string fold(std::string_view text, std::size_t name_length) {
  std::string out;
  std::size_t line_length = name_length + 2;  // "Name: "
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t space = text.find(' ', start + 1);
    std::string_view word = text.substr(
        start, space == std::string_view::npos ? std::string_view::npos : space - start);
    if (line_length + word.size() > max_line && !out.empty() && word.front() == ' ') {
      out += "\r\n";
      line_length = 0;
    }
    out += word;
    line_length += word.size();
    start += word.size();
  }
  return out;
}

std::string display_name(std::string_view name) {
  if (!is_printable_ascii(name)) return encoded_words(name);
  bool plain = !name.empty();
  for (char c : name) plain = plain && (is_atext(c) || c == ' ');
  if (plain) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string format_mailbox(const mailbox& m) {
  if (m.display_name.empty()) return m.address;
  return display_name(m.display_name) + " <" + m.address + ">";
}

std::string_view domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view("localhost") : address.substr(at + 1);
}

void add_part(std::string& out, std::string_view content_type, std::string_view body) {
  out += fmt::format("Content-Type: {}; charset=UTF-8\r\n", content_type);
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(body);
  out += "\r\n";
}

}  // namespace

std::optional<mailbox> parse_mailbox(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  mailbox m;
  if (!text.empty() && text.back() == '>') {
    auto open = text.rfind('<');
    if (open == std::string_view::npos) return std::nullopt;
    auto name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    if (name.find_first_of("\r\n\"\\") != std::string_view::npos) return std::nullopt;
    m.display_name = std::string(name);
    m.address = std::string(text.substr(open + 1, text.size() - open - 2));
  } else {
    m.address = std::string(text);
  }
  if (!is_valid_address(m.address)) return std::nullopt;
  return m;
}

bool is_valid_address(std::string_view address) {
  if (address.size() < 3 || address.size() > 254) return false;
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  auto local = address.substr(0, at);
  auto domain = address.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : local) {
    if (!is_local_part_char(c)) return false;
  }
  // Dot-separated labels of letters, digits and inner hyphens; one label (localhost) is fine.
  std::size_t start = 0;
  while (true) {
    auto dot = domain.find('.', start);
    auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!is_domain_label_char(c)) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string message_id(const uuid& id, std::string_view from_address) {
  return "<" + id.str() + "@" + std::string(domain_of(from_address)) + ">";
}

std::string rfc5322_date(timestamp t) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> month_names = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss time(floor<seconds>(t - day));
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
                     day_names[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                     month_names[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

std::string encode_header_text(std::string_view text, std::size_t name_length) {
  if (is_printable_ascii(text)) return fold(text, name_length);
  return encoded_words(text);
}

std::string quoted_printable(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t line_length = 0;
  auto emit = [&](std::string_view token) {
    // A soft break ("=") keeps every encoded line within 76 characters.
    if (line_length + token.size() > 75) {
      out += "=\r\n";
      line_length = 0;
    }
    out += token;
    line_length += token.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {
      // Any of CRLF, LF or CR is one hard line break.
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
      line_length = 0;
      continue;
    }
    bool at_line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    // Trailing white space would be stripped in transit, so it is encoded.
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      char encoded[3] = {'=', hex[c >> 4], hex[c & 15]};
      emit(std::string_view(encoded, 3));
    }
  }
  return out;
}

std::string render(const stored_message& m, const mailbox& from) {
  const message& c = m.content;
  std::string out;
  out += "Date: " + rfc5322_date(m.created_at) + "\r\n";
  out += "From: " + format_mailbox(from) + "\r\n";
  out += "To: " + c.to + "\r\n";
  if (c.reply_to) out += "Reply-To: " + *c.reply_to + "\r\n";
  out += "Subject: " + encode_header_text(c.subject, 7) + "\r\n";
  out += "Message-ID: " + message_id(m.id, from.address) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (!c.html) {
    add_part(out, "text/plain", c.text);
    return out;
  }
  // Quoted-printable output never contains "=_" (an "=" is always followed by a hex digit or
  // a line break), so a boundary starting with it cannot occur inside a part.
  std::string boundary = "=_keel_" + m.id.str();
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  add_part(out, "text/plain", c.text);
  out += "--" + boundary + "\r\n";
  add_part(out, "text/html", *c.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace keel::mail
