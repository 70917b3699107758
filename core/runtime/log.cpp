// The log line writer.
#include "core/runtime/log.hpp"

#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "core/runtime/text.hpp"

namespace keel::log {
namespace {

std::atomic<level> min_level_{level::info};
std::atomic<format> format_{format::json};
thread_local const scope* current_ = nullptr;

std::string_view level_name(level l) {
  switch (l) {
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
  }
  return "info";
}

// JSON string escaping per RFC 8259: quotes, backslash and control characters. Bytes that
// are not UTF-8 (a client's raw 0xFF in a path) become U+FFFD, so every line stays valid JSON.
void append_json_string(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::size_t n = text::char_length(s.substr(i));
      if (n == 0) {
        out.append(std::string_view("\\ufffd"));
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_value(fmt::memory_buffer& out, const value& v, bool quote_strings) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (quote_strings) {
            append_json_string(out, x);
          } else {
            out.append(x);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out.append(std::string_view(x ? "true" : "false"));
        } else {
          fmt::format_to(std::back_inserter(out), "{}", x);
        }
      },
      v);
}

// Calls `write_field` for the open scope's trace ids, if any, then for the line's fields.
template <class F>
void for_each_field(fields f, F&& write_field) {
  if (current_ != nullptr) {
    write_field(field("trace_id", current_->trace_id()));
    write_field(field("span_id", current_->span_id()));
  }
  for (const auto& one : f) write_field(one);
}

}  // namespace

void configure(level min_level, format fmt) {
  min_level_ = min_level;
  format_ = fmt;
}

bool enabled(level l) {
  return l >= min_level_.load(std::memory_order_relaxed);
}

std::optional<level> parse_level(std::string_view name) {
  if (name == "debug") return level::debug;
  if (name == "info") return level::info;
  if (name == "warn" || name == "warning") return level::warn;
  if (name == "error") return level::error;
  return std::nullopt;
}

scope::scope(std::string_view trace_id, std::string_view span_id)
    : trace_id_(trace_id), span_id_(span_id), outer_(current_) {
  current_ = this;
}

scope::~scope() {
  current_ = outer_;
}

void write(level l, std::string_view msg, fields f) {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
  fmt::memory_buffer out;
  if (format_.load(std::memory_order_relaxed) == format::json) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"ts\":\"{:%Y-%m-%dT%H:%M:%S}.{:03}Z\",\"level\":\"{}\",\"msg\":", seconds,
                   millis, level_name(l));
    append_json_string(out, msg);
    for_each_field(f, [&](const field& one) {
      out.push_back(',');
      append_json_string(out, one.key);
      out.push_back(':');
      append_value(out, one.val, true);
    });
    out.append(std::string_view("}\n"));
  } else {
    fmt::format_to(std::back_inserter(out), "{:%H:%M:%S}.{:03} {:<5} {}", seconds, millis,
                   level_name(l), msg);
    for_each_field(f, [&](const field& one) {
      fmt::format_to(std::back_inserter(out), " {}=", one.key);
      append_value(out, one.val, false);
    });
    out.push_back('\n');
  }
  // One write per line keeps concurrent lines whole (pipes guarantee it up to PIPE_BUF).
  const char* p = out.data();
  std::size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n <= 0) break;  // stdout gone: logging must never take the process down
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace keel::log
