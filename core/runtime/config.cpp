// Reading and checking the declared configuration variables.
#include "core/runtime/config.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "core/redis/url.hpp"

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

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

std::vector<std::string> parse_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

// Parses `text` into the field `var` names; returns a problem sentence or nothing.
std::optional<std::string> assign(config& cfg, const config_var& var, std::string_view text) {
  return std::visit(
      [&](auto member) -> std::optional<std::string> {
        using field_type = std::remove_reference_t<decltype(cfg.*member)>;
        if constexpr (std::is_same_v<field_type, std::string>) {
          cfg.*member = std::string(text);
        } else if constexpr (std::is_same_v<field_type, bool>) {
          auto v = parse_bool(text);
          if (!v) return "must be true or false";
          cfg.*member = *v;
        } else if constexpr (std::is_same_v<field_type, std::chrono::milliseconds>) {
          auto v = parse_duration(text);
          if (!v) return "must be a duration such as 500ms, 10s, 5m, 24h or 14d";
          cfg.*member = *v;
        } else if constexpr (std::is_same_v<field_type, std::vector<std::string>>) {
          cfg.*member = parse_list(text);
        } else {
          auto v = parse_integer(text);
          if (!v) return "must be a whole number";
          if (*v < var.min || *v > var.max) {
            return fmt::format("must be between {} and {}", var.min, var.max);
          }
          cfg.*member = static_cast<field_type>(*v);
        }
        return std::nullopt;
      },
      var.field);
}

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

config load_config(unsigned p, const env_lookup& env) {
  config cfg;
  std::vector<std::string> problems;
  for (const auto& var : config_vars()) {
    if ((var.programs & p) == 0) continue;
    auto given = env(var.name);
    bool set = given && !trim(*given).empty();
    if (!set && var.required) {
      problems.push_back(fmt::format("{} is required: {}", var.name, var.description));
      continue;
    }
    std::string text = set ? std::string(trim(*given)) : std::string(var.default_value);
    if (auto problem = assign(cfg, var, text)) {
      // The value itself is echoed only for variables that are not secret.
      problems.push_back(var.secret ? fmt::format("{} {}", var.name, *problem)
                                    : fmt::format("{}={:?} {}", var.name, text, *problem));
    }
  }
  if (p & api) {
    for (const auto& origin : cfg.cors_origins) {
      if (origin == "*") {
        problems.push_back("CORS_ORIGINS must list origins explicitly; '*' is not allowed");
      } else if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
        problems.push_back(
            fmt::format("CORS_ORIGINS entry {:?} must start with http:// or https://", origin));
      }
    }
  }
  if ((p & api) && (cfg.access_token_ttl < std::chrono::minutes(1) ||
                    cfg.access_token_ttl > std::chrono::hours(24))) {
    problems.push_back("ACCESS_TOKEN_TTL must be between 1m and 24h");
  }
  if ((p & worker) && cfg.mail_transport != "log" && cfg.mail_transport != "smtp") {
    problems.push_back(fmt::format("MAIL_TRANSPORT={:?} must be smtp or log", cfg.mail_transport));
  }
  if ((p & worker) && cfg.mail_transport == "smtp" && cfg.smtp_url.empty()) {
    problems.push_back("SMTP_URL is required when MAIL_TRANSPORT=smtp");
  }
  if (!cfg.redis_url.empty() && !redis::parse_url(cfg.redis_url)) {
    problems.push_back(  // the URL itself is secret: it may hold a password
        "REDIS_URL must be redis://[[user]:password@]host[:port][/db] (rediss:// is not "
        "supported)");
  }
  if (cfg.log_level != "debug" && cfg.log_level != "info" && cfg.log_level != "warn" &&
      cfg.log_level != "error") {
    problems.push_back(
        fmt::format("LOG_LEVEL={:?} must be debug, info, warn or error", cfg.log_level));
  }
  if (cfg.log_format != "json" && cfg.log_format != "pretty") {
    problems.push_back(fmt::format("LOG_FORMAT={:?} must be json or pretty", cfg.log_format));
  }
  if (!problems.empty()) throw config_error(std::move(problems));
  return cfg;
}

std::string describe_variables(unsigned p) {
  std::string out;
  for (const auto& var : config_vars()) {
    if ((var.programs & p) == 0) continue;
    std::string shown = var.required                ? "required"
                        : var.secret                ? "optional, secret"
                        : var.default_value.empty() ? "unset"
                                                    : fmt::format("default {}", var.default_value);
    out += fmt::format("  {:<22} {} ({})\n", var.name, var.description, shown);
  }
  return out;
}

}  // namespace keel::runtime
