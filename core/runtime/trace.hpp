// W3C Trace Context (traceparent): which trace a request or a job belongs to, so that the log
// lines of one user action can be found together across keel-api and keel-worker.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keel::trace {

// One span of a trace: the trace's id (32 lower-case hex digits), this span's id (16) and the
// trace flags (bit 0: sampled).
struct span {
  std::string trace_id;
  std::string span_id;
  std::uint8_t flags = 0;

  // "00-<trace_id>-<span_id>-<flags>": what this span sends on, as a response header or in
  // the row of a job it enqueues.
  std::string traceparent() const;
};

// A `traceparent` header as the spec reads it (version 00): nullopt when it is malformed, a
// field is upper-case or all zero, or the version is ff. A later version is read by its
// version-00 prefix, as the spec asks. Its span id is the caller's (the parent's).
std::optional<span> parse(std::string_view header);

// A span of its own under `parent` (same trace and flags, a new span id), or the root of a
// new trace when there is no parent (flags 01: keel records what it starts).
span child_of(const std::optional<span>& parent);

// The spans of a traceparent header or a job row, or a new trace when absent or invalid.
span continue_from(std::optional<std::string_view> traceparent);

// `digits` random lower-case hex digits, not all zero: ids that must be unique, not secret
// (span ids, trace ids, request ids).
std::string random_hex(std::size_t digits);

}  // namespace keel::trace
