// Byte-exact HTTP exchanges for hostile-input tests: any bytes out, every response back.
#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"

namespace keel::test {

// What one connection gave back for the bytes sent on it.
struct raw_outcome {
  std::vector<http_response> responses;       // final responses in order (1xx interim ones skipped)
  bool closed = false;                        // the server closed (or reset) the connection
  bool timed_out = false;                     // it neither answered nor closed within the timeout
  std::string garbled;                        // what could not be read as an HTTP response, if any
  std::chrono::milliseconds first_answer{0};  // until the first response was complete
  std::chrono::milliseconds elapsed{0};       // until the close (or the timeout)
};

// Connects to 127.0.0.1:port, writes `bytes`, half-closes (so a request cut short ends with
// EOF instead of waiting for more), and reads responses until the server closes or `timeout`
// passes. `head`: the first request is HEAD, so its answer carries no body.
raw_outcome raw_exchange(int port, std::string_view bytes, std::chrono::milliseconds timeout,
                         bool head = false);

// `bytes` as C-like escaped text (\r, \n, \t, \\, \", \xNN), so any request can be printed
// and pasted into a test as a string literal.
std::string escape_bytes(std::string_view bytes, std::size_t limit = std::string::npos);

}  // namespace keel::test
