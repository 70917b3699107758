// Seeded mutations of valid HTTP requests, for hostile-input sweeps: bytes, lengths,
// encodings, JSON shapes, headers, framing, path and query.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"

namespace keel::test {

// A request as it goes on the wire, in pieces a mutation can change one at a time.
struct wire_request {
  std::string method = "GET";
  std::string target = "/";  // path and query, as sent
  std::string version = "HTTP/1.1";
  header_list headers;  // written in this order; Host is one of them
  std::string body;
  // Adds "Content-Length: <body size>" when the body is not empty and no header frames it.
  bool add_length = true;

  std::string bytes() const;
  std::string path() const;   // the target up to '?'
  std::string query() const;  // after '?', "" when none
};

struct mutation {
  std::string kind;    // stable name, for statistics (e.g. "json.string_bytes")
  std::string detail;  // what exactly was done, for a reader
};

struct mutated_request {
  std::vector<mutation> applied;
  std::string bytes;  // what to send
  bool head = false;  // sent as HEAD: responses carry no body
  // A second response would mean the server read this request's framing in a way that made
  // part of it a second request (request smuggling); false where a mutation may legitimately
  // split the bytes in two (a short Content-Length, CR/LF anywhere in the head).
  bool single_response = true;
  // False once a mutation may leave the request unfinished (a Content-Length longer than the
  // body, a chunked body without its last chunk, bytes cut): the server may then wait for the
  // rest, see EOF and close without answering. Otherwise every request must get an answer.
  bool answer_expected = true;
  // When not empty, a GET /health with this X-Request-Id follows the request on the wire.
  std::string pipelined_id;
};

// What the mutator may use beside the request itself.
struct mutation_inputs {
  std::string bearer_token;    // a real access token, to corrupt in Authorization
  std::string refresh_token;   // a real refresh token, for the cookie
  std::string allowed_origin;  // an Origin on the CORS allow-list, "" when none
};

class hostile_mutator {
 public:
  explicit hostile_mutator(std::uint64_t seed) : rng_(seed) {}

  // One to three mutations of `base` (sometimes none, to keep the valid request in the mix).
  mutated_request mutate(const wire_request& base, const mutation_inputs& inputs);

  std::mt19937_64& rng() { return rng_; }

 private:
  template <class T>
  const T& pick(const std::vector<T>& choices) {
    return choices[below(choices.size())];
  }
  std::size_t below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void json_body(wire_request& r, mutated_request& out);
  void body_bytes(wire_request& r, mutated_request& out);
  void content_type(wire_request& r, mutated_request& out);
  void content_length(wire_request& r, mutated_request& out);
  void transfer_encoding(wire_request& r, mutated_request& out);
  void header_value(wire_request& r, mutated_request& out, const mutation_inputs& inputs);
  void header_shape(wire_request& r, mutated_request& out);
  void authorization(wire_request& r, mutated_request& out, const mutation_inputs& inputs);
  void request_line(wire_request& r, mutated_request& out);
  void path_segment(wire_request& r, mutated_request& out);
  void query_param(wire_request& r, mutated_request& out);
  void whole_bytes(std::string& bytes, mutated_request& out);

  std::string hostile_bytes();        // raw bytes: NUL, 0xFF, invalid or overlong UTF-8, CR/LF
  std::string hostile_json_string();  // the inside of a JSON string literal
  std::string hostile_json_value();   // any JSON text (or almost-JSON)
  std::string chunked(std::string_view body);
  // base64url JSON (a cursor, a JWT part) with one member made hostile; `what` says how.
  std::string mutate_encoded_json(std::string_view encoded, std::string& what);

  std::mt19937_64 rng_;
};

// Percent-encodes every byte that is not unreserved (RFC 3986).
std::string percent_encode(std::string_view raw);

}  // namespace keel::test
