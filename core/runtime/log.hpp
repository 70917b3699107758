// Structured logging: one JSON object per line on stdout, or readable lines when pretty.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace keel::log {

enum class level { debug, info, warn, error };
enum class format { json, pretty };

void configure(level min_level, format fmt);
bool enabled(level l);
std::optional<level> parse_level(std::string_view name);

// A field's value. Never put a secret, password, token or OTP here.
using value = std::variant<std::string_view, std::int64_t, double, bool>;
struct field {
  std::string_view key;
  value val;
  field(std::string_view k, std::string_view v) : key(k), val(v) {}
  field(std::string_view k, const char* v) : key(k), val(std::string_view(v)) {}
  field(std::string_view k, const std::string& v) : key(k), val(std::string_view(v)) {}
  field(std::string_view k, bool v) : key(k), val(v) {}
  field(std::string_view k, double v) : key(k), val(v) {}
  template <class I>
  requires std::is_integral_v<I> field(std::string_view k, I v)
      : key(k), val(static_cast<std::int64_t>(v)) {}
};
using fields = std::initializer_list<field>;

// The trace a line belongs to (W3C trace context ids, core/runtime/trace.hpp): while a scope
// is open on a thread, every line that thread writes carries trace_id and span_id, so the
// lines of one request (or one job) can be found together.
class scope {
 public:
  scope(std::string_view trace_id, std::string_view span_id);
  ~scope();
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;
  std::string_view trace_id() const { return trace_id_; }
  std::string_view span_id() const { return span_id_; }

 private:
  std::string_view trace_id_, span_id_;
  const scope* outer_;
};
// A scope belongs to synchronous code: a coroutine must not keep one across a co_await, where
// other requests' code runs on the same thread. Open one around each synchronous stretch.

// Writes one line with one write(2), so lines from several threads never interleave.
void write(level l, std::string_view msg, fields f = {});

inline void debug(std::string_view msg, fields f = {}) {
  if (enabled(level::debug)) write(level::debug, msg, f);
}
inline void info(std::string_view msg, fields f = {}) {
  if (enabled(level::info)) write(level::info, msg, f);
}
inline void warn(std::string_view msg, fields f = {}) {
  if (enabled(level::warn)) write(level::warn, msg, f);
}
inline void error(std::string_view msg, fields f = {}) {
  write(level::error, msg, f);
}

}  // namespace keel::log
