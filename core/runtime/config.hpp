// Configuration: each feature declares its variables beside its code (core/<feature>/settings.*)
// and reads them into its own typed settings struct; a program's configuration is a described
// struct with one member per feature it links. Read from the environment at start-up, with
// every problem of every feature reported at once.
#pragma once
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace keel::runtime {

struct settings;  // what every program reads: LOG_LEVEL, LOG_FORMAT, APP_ENV (settings.hpp)

// The member of a feature's settings struct `S` that a variable fills.
template <class S>
using setting_field = std::variant<std::string S::*, int S::*, std::size_t S::*, bool S::*,
                                   std::chrono::milliseconds S::*, std::chrono::seconds S::*,
                                   std::vector<std::string> S::*>;

// What --help and the .env.example check see of one variable.
struct variable_info {
  std::string_view name;
  std::string_view default_value;  // used when unset; empty and not required means "off"
  bool required = false;
  bool secret = false;  // never printed: not in --help defaults, not in problems, not in logs
  std::string_view description;
};

template <class S>
struct setting {
  std::string_view name;
  setting_field<S> field;
  std::string_view default_value;
  bool required = false;
  bool secret = false;
  std::string_view description;
  long long min = 0;          // for integers and sizes
  long long max = 1LL << 40;  // for integers and sizes
};

using problem_list = std::vector<std::string>;

// A feature's declaration (its settings struct's static `declared()`): the variables, in
// the order --help lists them, and the checks that look at more than one value at a time.
template <class S>
struct declaration {
  std::vector<setting<S>> variables;
  // Runs once every variable of the program is read. Adds one sentence per problem, never a
  // secret value; may complete `s` where one value follows from others. `common` says whether
  // this is a production deployment (APP_ENV).
  std::function<void(S& s, const settings& common, problem_list& problems)> check;
};

// Thrown with every problem found, one per line, so they can be fixed in one go.
class config_error : public std::runtime_error {
 public:
  explicit config_error(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
env_lookup process_environment();

// "250ms", "10s", "5m", "24h", "14d"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

namespace detail {

// The text a variable takes, trimmed; nullopt when it is unset (or blank) and has no default
// to take, after adding the problem when it is required.
std::optional<std::string> value_of(const env_lookup& env, const variable_info& var,
                                    problem_list& problems);
// Parses `text` into `out`; a problem sentence (without the variable's name) or nothing.
std::optional<std::string> parse_into(std::string_view text, std::string& out);
std::optional<std::string> parse_into(std::string_view text, bool& out);
std::optional<std::string> parse_into(std::string_view text, std::chrono::milliseconds& out);
std::optional<std::string> parse_into(std::string_view text, std::chrono::seconds& out);
std::optional<std::string> parse_into(std::string_view text, std::vector<std::string>& out);
std::optional<std::string> parse_into(std::string_view text, long long& out, long long min,
                                      long long max);
// "NAME=\"value\" problem", or "NAME problem" for a secret.
std::string problem_with(const variable_info& var, std::string_view text, std::string_view problem);
std::string help_line(const variable_info& var);
const settings& default_common();

template <class S>
variable_info info_of(const setting<S>& s) {
  return {s.name, s.default_value, s.required, s.secret, s.description};
}

template <class S>
void read_feature(S& out, const env_lookup& env, problem_list& problems) {
  for (const auto& var : S::declared().variables) {
    auto info = info_of(var);
    auto text = value_of(env, info, problems);
    if (!text) continue;
    auto problem = std::visit(
        [&](auto member) -> std::optional<std::string> {
          using field_type = std::remove_reference_t<decltype(out.*member)>;
          if constexpr (std::is_integral_v<field_type> && !std::is_same_v<field_type, bool>) {
            long long v = 0;
            auto p = parse_into(*text, v, var.min, var.max);
            if (!p) out.*member = static_cast<field_type>(v);
            return p;
          } else {
            return parse_into(*text, out.*member);
          }
        },
        var.field);
    if (problem) problems.push_back(problem_with(info, *text, *problem));
  }
}

// Calls fn(member) for each feature of the program's configuration `C`.
template <class C, class Fn>
void for_each_feature(C& cfg, Fn&& fn) {
  using members =
      boost::describe::describe_members<std::remove_const_t<C>, boost::describe::mod_public>;
  boost::mp11::mp_for_each<members>([&](auto m) { fn(cfg.*m.pointer); });
}

}  // namespace detail

// The runtime::settings member of `C`, or the defaults when it has none.
template <class C>
const settings& common_of(const C& cfg) {
  const settings* common = &detail::default_common();
  detail::for_each_feature(cfg, [&](const auto& feature) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(feature)>, settings>) {
      common = &feature;
    }
  });
  return *common;
}

// Reads every feature of the program's configuration `C`; throws config_error listing all
// problems of all features.
template <class C>
C load_config(const env_lookup& env = process_environment()) {
  C cfg{};
  problem_list problems;
  detail::for_each_feature(cfg,
                           [&](auto& feature) { detail::read_feature(feature, env, problems); });
  const settings& common = common_of(cfg);
  detail::for_each_feature(cfg, [&](auto& feature) {
    const auto& check = std::remove_cvref_t<decltype(feature)>::declared().check;
    if (check) check(feature, common, problems);
  });
  if (!problems.empty()) throw config_error(std::move(problems));
  return cfg;
}

// Every variable `C` reads, feature by feature.
template <class C>
std::vector<variable_info> variables_of() {
  std::vector<variable_info> out;
  C cfg{};
  detail::for_each_feature(cfg, [&](auto& feature) {
    for (const auto& var : std::remove_cvref_t<decltype(feature)>::declared().variables) {
      out.push_back(detail::info_of(var));
    }
  });
  return out;
}

// The variables of `C` as --help shows them: name, description, default.
template <class C>
std::string describe_variables() {
  std::string out;
  for (const auto& var : variables_of<C>()) out += detail::help_line(var);
  return out;
}

}  // namespace keel::runtime
