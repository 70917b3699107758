// Request framing that Beast's parser leaves to the server (RFC 9112 §3.2, §6): a request whose
// length or target two parties could read differently is refused before its body is read.
#pragma once
#include "core/http/detail/pipeline.hpp"

namespace keel::http::detail {

// What the session refuses a request with before the pipeline sees it, and the most header
// bytes it reads. Here so that the in-process fuzz target refuses alike.
inline constexpr std::size_t header_limit = 16 * 1024;
inline constexpr rejection too_large{413, "payload_too_large",
                                     "The request body exceeds the limit."};
inline constexpr rejection header_too_large{431, "header_too_large",
                                            "The request headers exceed the limit."};
inline constexpr rejection slow_client{408, "request_timeout",
                                       "The request took too long to arrive."};
inline constexpr rejection malformed{400, "malformed_request",
                                     "The request is not valid HTTP/1.1."};

// The rejection for a request whose headers make its framing ambiguous, or null when they are
// sound. Every rejection closes the connection, so no byte after it is read as a request.
//  - Transfer-Encoding: chunked must be the last coding and appear once (400); any other
//    coding is not implemented (501); HTTP/1.0 has no Transfer-Encoding (400); it may not come
//    with Content-Length (400), which Beast's parser would otherwise leave to us.
//  - Host: exactly one on HTTP/1.1, at most one on HTTP/1.0, no whitespace or control bytes.
const rejection* framing_problem(const request_message& message);

// True when a header block (the bytes up to and including its blank line) continues a field
// on the next line (obs-fold, RFC 9112 §5.2). Beast would unfold it; keel refuses it with 400,
// as proxies disagree on what such a field means.
bool has_obs_fold(std::string_view header_block);

}  // namespace keel::http::detail
