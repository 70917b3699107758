// Mail rendering: RFC 5322 headers, RFC 2047 subjects, quoted-printable and multipart bodies.
#include <sodium.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <vector>

#include "core/mail/format.hpp"

using namespace std::chrono;
namespace mail = keel::mail;

namespace {

keel::timestamp utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s);
}

const keel::uuid message_uuid = *keel::uuid::parse("0190c5a4-7b3e-7c2d-9a1b-0123456789ab");
const mail::mailbox from{"keel", "no-reply@example.com"};

mail::stored_message sample(std::string subject, std::optional<std::string> html = std::nullopt) {
  mail::stored_message m;
  m.id = message_uuid;
  m.content = {.to = "ada@example.org",
               .subject = std::move(subject),
               .text = "Hello Ada,\nyour code is 123456.\n",
               .html = std::move(html),
               .reply_to = std::nullopt,
               .purpose = "auth.otp"};
  m.created_at = utc(2026, 11, 21, 15, 4, 5);
  return m;
}

std::vector<std::string> crlf_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// The header block: from the start to the first empty line, folded lines joined (unfolded).
std::string header(const std::string& rendered, const std::string& name) {
  auto head = rendered.substr(0, rendered.find("\r\n\r\n") + 2);
  auto at = head.find(name + ": ");
  if (at == std::string::npos || (at != 0 && head[at - 1] != '\n')) return "";
  auto value_start = at + name.size() + 2;
  std::string value;
  for (auto end = head.find("\r\n", value_start);; end = head.find("\r\n", value_start)) {
    value += head.substr(value_start, end - value_start);
    value_start = end + 2;
    if (value_start >= head.size() || (head[value_start] != ' ' && head[value_start] != '\t')) {
      break;
    }
  }
  return value;
}

std::string decode_encoded_word(const std::string& word) {
  const std::string prefix = "=?UTF-8?B?";
  REQUIRE(word.rfind(prefix, 0) == 0);
  REQUIRE(word.substr(word.size() - 2) == "?=");
  auto b64 = word.substr(prefix.size(), word.size() - prefix.size() - 2);
  std::string out(b64.size(), '\0');
  std::size_t length = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.data(),
                            b64.size(), nullptr, &length, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
  out.resize(length);
  return out;
}

}  // namespace

TEST_CASE("a text message has every RFC 5322 header, CRLF line ends and a QP body", "[mail]") {
  auto rendered = mail::render(sample("Your sign-in code"), from);
  CHECK(header(rendered, "Date") == "Sat, 21 Nov 2026 15:04:05 +0000");
  CHECK(header(rendered, "From") == "keel <no-reply@example.com>");
  CHECK(header(rendered, "To") == "ada@example.org");
  CHECK(header(rendered, "Subject") == "Your sign-in code");
  CHECK(header(rendered, "Message-ID") == "<0190c5a4-7b3e-7c2d-9a1b-0123456789ab@example.com>");
  CHECK(header(rendered, "MIME-Version") == "1.0");
  CHECK(header(rendered, "Content-Type") == "text/plain; charset=UTF-8");
  CHECK(header(rendered, "Content-Transfer-Encoding") == "quoted-printable");
  CHECK(header(rendered, "Reply-To") == "");
  // No bare LF anywhere: SMTP requires CRLF, and the body's "\n" became CRLF.
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    if (rendered[i] == '\n') REQUIRE((i > 0 && rendered[i - 1] == '\r'));
  }
  auto body = rendered.substr(rendered.find("\r\n\r\n") + 4);
  CHECK(body == "Hello Ada,\r\nyour code is 123456.\r\n\r\n");
}

TEST_CASE("the same message renders to the same bytes on every attempt", "[mail]") {
  auto m = sample("Welcome", "<p>Welcome</p>");
  CHECK(mail::render(m, from) == mail::render(m, from));
}

TEST_CASE("Reply-To is written when the message has one", "[mail]") {
  auto m = sample("Hi");
  m.content.reply_to = "support@example.com";
  CHECK(header(mail::render(m, from), "Reply-To") == "support@example.com");
}

TEST_CASE("a UTF-8 subject becomes RFC 2047 encoded words that decode back", "[mail]") {
  std::string subject = "Bienvenue à keel, Zoë — ✓";
  auto encoded = mail::encode_header_text(subject, 7);
  CHECK(encoded.rfind("=?UTF-8?B?", 0) == 0);
  CHECK(decode_encoded_word(encoded) == subject);
  CHECK(header(mail::render(sample(subject), from), "Subject") == encoded);
}

TEST_CASE("a long UTF-8 subject is split between characters into lines of at most 78", "[mail]") {
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "é漢";  // 2- and 3-byte characters
  auto encoded = mail::encode_header_text(subject, 7);
  auto lines = crlf_lines(encoded);
  REQUIRE(lines.size() > 1);
  std::string decoded;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = i == 0 ? lines[i] : lines[i].substr(1);  // folded lines start with a space
    if (i > 0) CHECK(lines[i][0] == ' ');
    CHECK((i == 0 ? line.size() + 9 : lines[i].size()) <= 78);  // "Subject: " on the first
    auto part = decode_encoded_word(line);
    // Each word decodes to whole characters: its first byte is never a continuation byte.
    CHECK((static_cast<unsigned char>(part[0]) & 0xc0) != 0x80);
    decoded += part;
  }
  CHECK(decoded == subject);
}

TEST_CASE("a long ASCII subject is folded at spaces and unfolds to the original", "[mail]") {
  std::string subject =
      "Your weekly summary: 12 new rules, 4 automations that ran, 3 reminders and one more thing";
  auto encoded = mail::encode_header_text(subject, 7);
  auto lines = crlf_lines(encoded);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].size() + 9 <= 78);
  CHECK(lines[1][0] == ' ');
  std::string unfolded;
  for (auto& l : lines) unfolded += l;
  CHECK(unfolded == subject);
}

TEST_CASE(
    "quoted-printable escapes '=', non-ASCII and trailing spaces, and soft-breaks long "
    "lines",
    "[mail]") {
  CHECK(mail::quoted_printable("a=b") == "a=3Db");
  CHECK(mail::quoted_printable("café") == "caf=C3=A9");
  CHECK(mail::quoted_printable("end \nnext\t") == "end=20\r\nnext=09");
  CHECK(mail::quoted_printable("one\r\ntwo\rthree") == "one\r\ntwo\r\nthree");
  std::string link = "https://app.example.com/verify?token=" + std::string(120, 'x');
  auto encoded = mail::quoted_printable(link);
  std::string decoded;
  for (auto& line : crlf_lines(encoded)) {
    CHECK(line.size() <= 76);
    decoded += line.back() == '=' ? line.substr(0, line.size() - 1) : line;
  }
  // Undo the one escape this text has.
  auto at = decoded.find("=3D");
  REQUIRE(at != std::string::npos);
  decoded.replace(at, 3, "=");
  CHECK(decoded == link);
}

TEST_CASE("a message with HTML is multipart/alternative, text first, then HTML", "[mail]") {
  auto rendered = mail::render(sample("Welcome", "<p>Welcome, <b>Ada</b></p>"), from);
  auto content_type = header(rendered, "Content-Type");
  std::string boundary = "=_keel_0190c5a4-7b3e-7c2d-9a1b-0123456789ab";
  CHECK(content_type == "multipart/alternative; boundary=\"" + boundary + "\"");
  CHECK(header(rendered, "Content-Transfer-Encoding") == "");
  auto body = rendered.substr(rendered.find("\r\n\r\n") + 4);
  auto text_part = body.find("--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\n");
  auto html_part = body.find("--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\n");
  auto closing = body.find("--" + boundary + "--\r\n");
  REQUIRE(text_part == 0);
  REQUIRE(html_part != std::string::npos);
  REQUIRE(closing != std::string::npos);
  CHECK(text_part < html_part);
  CHECK(html_part < closing);
  CHECK(closing + boundary.size() + 6 == body.size());
  CHECK(body.find("your code is 123456.") < html_part);
  CHECK(body.find("<p>Welcome, <b>Ada</b></p>") > html_part);
}

TEST_CASE("a display name with specials is quoted and a non-ASCII one is encoded", "[mail]") {
  auto quoted = mail::render(sample("Hi"), {"Ada, Lovelace", "ada@example.com"});
  CHECK(header(quoted, "From") == "\"Ada, Lovelace\" <ada@example.com>");
  auto encoded = mail::render(sample("Hi"), {"Zoë", "zoe@example.com"});
  auto value = header(encoded, "From");
  CHECK(decode_encoded_word(value.substr(0, value.find(' '))) == "Zoë");
  CHECK(value.substr(value.find(' ')) == " <zoe@example.com>");
}

TEST_CASE("MAIL_FROM parses as a bare address or a name and an address", "[mail]") {
  auto named = mail::parse_mailbox("keel <no-reply@localhost>");
  REQUIRE(named);
  CHECK(named->display_name == "keel");
  CHECK(named->address == "no-reply@localhost");
  auto quoted = mail::parse_mailbox("\"Ada, L.\" <ada@mail.example.com>");
  REQUIRE(quoted);
  CHECK(quoted->display_name == "Ada, L.");
  auto bare = mail::parse_mailbox("  ops@example.com ");
  REQUIRE(bare);
  CHECK(bare->display_name.empty());
  CHECK(bare->address == "ops@example.com");
  CHECK_FALSE(mail::parse_mailbox("keel <no-reply@localhost"));
  CHECK_FALSE(mail::parse_mailbox("keel"));
  CHECK_FALSE(mail::parse_mailbox("x\r\nBcc: evil@example.com <a@b.c>"));
}

TEST_CASE("addresses that could inject headers or SMTP commands are not valid", "[mail]") {
  CHECK(mail::is_valid_address("ada@example.com"));
  CHECK(mail::is_valid_address("first.last+tag@sub.example.co.uk"));
  CHECK(mail::is_valid_address("root@localhost"));
  CHECK_FALSE(mail::is_valid_address("ada@example.com\r\nRCPT TO:<x@y.z>"));
  CHECK_FALSE(mail::is_valid_address("ada@exa mple.com"));
  CHECK_FALSE(mail::is_valid_address("<ada@example.com>"));
  CHECK_FALSE(mail::is_valid_address("ada.@example.com"));
  CHECK_FALSE(mail::is_valid_address("a..b@example.com"));
  CHECK_FALSE(mail::is_valid_address("ada@-example.com"));
  CHECK_FALSE(mail::is_valid_address("ada@example..com"));
  CHECK_FALSE(mail::is_valid_address("@example.com"));
  CHECK_FALSE(mail::is_valid_address("zoë@example.com"));
  CHECK_FALSE(mail::is_valid_address(std::string(65, 'a') + "@example.com"));
}
