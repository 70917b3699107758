// Reading one declared variable: presence, parsing, the problem sentence, the --help line.
#include "core/runtime/config.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace keel::runtime {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<long long> parse_integer(std::string_view text) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

constexpr std::string_view bad_duration = "must be a duration such as 500ms, 10s, 5m, 24h or 14d";

}  // namespace

config_error::config_error(std::vector<std::string> problems)
    : std::runtime_error([&] {
        std::string message = "invalid configuration:";
        for (const auto& p : problems) message += "\n  - " + p;
        return message;
      }()),
      problems_(std::move(problems)) {}

env_lookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trim(text);
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  auto amount = parse_integer(text.substr(0, digits));
  if (!amount) return std::nullopt;
  auto unit = text.substr(digits);
  long long per_unit = 0;
  if (unit == "ms")
    per_unit = 1;
  else if (unit == "s")
    per_unit = 1000;
  else if (unit == "m")
    per_unit = 60'000;
  else if (unit == "h")
    per_unit = 3'600'000;
  else if (unit == "d")
    per_unit = 86'400'000;
  else
    return std::nullopt;
  return std::chrono::milliseconds(*amount * per_unit);
}

namespace detail {

std::optional<std::string> value_of(const env_lookup& env, const variable_info& var,
                                    problem_list& problems) {
  auto given = env(var.name);
  bool set = given && !trim(*given).empty();
  if (!set && var.required) {
    problems.push_back(fmt::format("{} is required: {}", var.name, var.description));
    return std::nullopt;
  }
  return set ? std::string(trim(*given)) : std::string(var.default_value);
}

std::optional<std::string> parse_into(std::string_view text, std::string& out) {
  out = std::string(text);
  return std::nullopt;
}

std::optional<std::string> parse_into(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
  } else {
    return "must be true or false";
  }
  return std::nullopt;
}

std::optional<std::string> parse_into(std::string_view text, std::chrono::milliseconds& out) {
  auto v = parse_duration(text);
  if (!v) return std::string(bad_duration);
  out = *v;
  return std::nullopt;
}

std::optional<std::string> parse_into(std::string_view text, std::chrono::seconds& out) {
  auto v = parse_duration(text);
  if (!v) return std::string(bad_duration);
  out = std::chrono::duration_cast<std::chrono::seconds>(*v);
  return std::nullopt;
}

std::optional<std::string> parse_into(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

std::optional<std::string> parse_into(std::string_view text, long long& out, long long min,
                                      long long max) {
  auto v = parse_integer(text);
  if (!v) return "must be a whole number";
  if (*v < min || *v > max) return fmt::format("must be between {} and {}", min, max);
  out = *v;
  return std::nullopt;
}

std::string problem_with(const variable_info& var, std::string_view text,
                         std::string_view problem) {
  // The value itself is echoed only for variables that are not secret.
  return var.secret ? fmt::format("{} {}", var.name, problem)
                    : fmt::format("{}={:?} {}", var.name, text, problem);
}

std::string help_line(const variable_info& var) {
  std::string shown = var.required                ? "required"
                      : var.secret                ? "optional, secret"
                      : var.default_value.empty() ? "unset"
                                                  : fmt::format("default {}", var.default_value);
  return fmt::format("  {:<22} {} ({})\n", var.name, var.description, shown);
}

}  // namespace detail
}  // namespace keel::runtime
