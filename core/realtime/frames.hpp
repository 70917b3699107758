// WebSocket framing (RFC 6455 section 5) for the server side, without extensions: what keel
// sends (unmasked frames, each message in one frame) and a reader of what clients send
// (masked frames, fragmented messages, control frames between fragments). Pure functions of
// bytes, so that every rule is unit-tested (tests/unit/realtime_frames_test.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keel::realtime::frames {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// One whole frame (FIN set) carrying `payload`.
std::string encode(opcode op, std::string_view payload);
// A close frame with `code` and a short reason.
std::string encode_close(std::uint16_t code, std::string_view reason = {});

// What the reader found: a whole message or control frame, or a reason to fail the
// connection with its close code.
struct item {
  enum class kind { text, ping, pong, close, failed };
  kind what = kind::failed;
  std::string payload;           // text, ping/pong data, close reason
  std::uint16_t close_code = 0;  // close: the peer's code (1005 when it sent none); failed: ours
};

class reader {
 public:
  explicit reader(std::size_t max_message) : max_message_(max_message) {}

  // Appends received bytes.
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete item, nullopt when more bytes are needed. After `failed` the
  // connection must be closed with its code; nothing more is read.
  std::optional<item> next();
  // Whether any bytes wait (a partial frame): an idle connection holds none.
  bool empty() const { return buffer_.empty() && message_.empty(); }
  void release_memory();

 private:
  std::size_t max_message_;
  std::string buffer_;   // received, not yet consumed
  std::string message_;  // fragments of a text message so far
  bool in_message_ = false;
  bool failed_ = false;
};

}  // namespace keel::realtime::frames
