// RFC 6455 framing as keel reads and writes it: masked client frames, fragments, control
// frames, and every rule whose breach fails the connection.
#include <catch2/catch.hpp>
#include <string>

#include "core/realtime/frames.hpp"

using namespace keel::realtime::frames;

namespace {

// A client frame: FIN and opcode, masked with a fixed key.
std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true) {
  std::string out;
  out += static_cast<char>(first_byte);
  std::size_t n = payload.size();
  std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (n < 126) {
    out += static_cast<char>(mask_bit | n);
  } else {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  }
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  if (masked) out.append(key, 4);
  for (std::size_t i = 0; i < n; ++i)
    out += static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0));
  return out;
}

}  // namespace

TEST_CASE("keel's frames are unmasked, whole, with the shortest length form") {
  auto small = encode(opcode::text, "hi");
  CHECK(small == std::string("\x81\x02hi", 4));
  auto medium = encode(opcode::text, std::string(300, 'x'));
  CHECK(static_cast<unsigned char>(medium[1]) == 126);
  CHECK(((static_cast<unsigned char>(medium[2]) << 8) | static_cast<unsigned char>(medium[3])) ==
        300);
  CHECK(medium.size() == 4 + 300);
  auto large = encode(opcode::binary, std::string(70000, 'x'));
  CHECK(static_cast<unsigned char>(large[1]) == 127);
  CHECK(large.size() == 10 + 70000);
  CHECK(encode_close(1001) == std::string("\x88\x02\x03\xe9", 4));
}

TEST_CASE(
    "the reader unmasks text split anywhere, joins fragments, and answers control frames "
    "between them") {
  reader r(4096);
  std::string bytes = client_frame(0x01, "hel") + client_frame(0x89, "p") +
                      client_frame(0x80, "lo") + client_frame(0x81, std::string(200, 'y'));
  // Byte by byte: nothing is returned before a frame is whole.
  std::vector<item> got;
  for (char c : bytes) {
    r.feed(std::string_view(&c, 1));
    while (auto i = r.next()) got.push_back(*i);
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0].what == item::kind::ping);
  CHECK(got[0].payload == "p");
  CHECK(got[1].what == item::kind::text);
  CHECK(got[1].payload == "hello");
  CHECK(got[2].payload == std::string(200, 'y'));
  CHECK(r.empty());
}

TEST_CASE("the reader fails the connection on what RFC 6455 forbids, with the right code") {
  auto first = [](const std::string& bytes, std::size_t max = 4096) {
    reader r(max);
    r.feed(bytes);
    auto i = r.next();
    REQUIRE(i.has_value());
    return *i;
  };
  CHECK(first(client_frame(0x81, "x", false)).close_code == 1002);  // unmasked
  CHECK(first(client_frame(0xC1, "x")).close_code == 1002);         // RSV1 without extension
  CHECK(first(client_frame(0x82, "x")).close_code == 1003);         // binary
  CHECK(first(client_frame(0x09, "x")).close_code == 1002);         // fragmented ping
  CHECK(first(client_frame(0x80, "x")).close_code == 1002);         // continuation first
  CHECK(first(client_frame(0x01, "a") + client_frame(0x81, "b")).close_code == 1002);
  CHECK(first(client_frame(0x83, "x")).close_code == 1002);  // unknown opcode
  CHECK(first(client_frame(0x81, std::string(200, 'z')), 100).close_code == 1009);
  // Too big is judged on the header alone: the payload need not have arrived.
  CHECK(first(client_frame(0x81, std::string(5000, 'z')).substr(0, 4)).close_code == 1009);

  auto closing = first(client_frame(0x88, std::string("\x03\xe8"
                                                      "bye",
                                                      5)));
  CHECK(closing.what == item::kind::close);
  CHECK(closing.close_code == 1000);
  CHECK(closing.payload == "bye");
  CHECK(first(client_frame(0x88, "")).close_code == 1005);
  CHECK(first(client_frame(0x88, "x")).what == item::kind::failed);
}

TEST_CASE("a continuation whose 64-bit length would wrap the message size is too big") {
  // Found by tests/fuzz/realtime_message_fuzz: 3 bytes held plus 2^64 - 2 made 1, under the
  // limit, and the reader then copied a payload of 2^64 - 2 bytes.
  std::string bytes = client_frame(0x01, "abc");
  bytes += "\x80\xff";
  bytes += std::string(7, '\xff');
  bytes += '\xfe';
  bytes += std::string("\x11\x22\x33\x44");
  reader r(4096);
  r.feed(bytes);
  auto i = r.next();
  REQUIRE(i.has_value());
  CHECK(i->what == item::kind::failed);
  CHECK(i->close_code == 1009);
}
