// Examples from schemas: a small regex walker for patterns and a recursive schema walker.
#include "schema_example.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

namespace keel::test {
namespace {

namespace json = boost::json;

// A recursive-descent walk over a pattern that writes the first string it accepts.
class pattern_walker {
 public:
  explicit pattern_walker(std::string_view p) : p_(p) {}

  std::string run() {
    std::string out = alternation();
    if (at_ < p_.size()) throw std::invalid_argument("unbalanced pattern: " + std::string(p_));
    return out;
  }

 private:
  std::string alternation() {
    std::string first = sequence();
    while (at_ < p_.size() && p_[at_] == '|') {
      ++at_;
      sequence();  // the other branches are parsed only to be skipped
    }
    return first;
  }

  std::string sequence() {
    std::string out;
    while (at_ < p_.size() && p_[at_] != ')' && p_[at_] != '|') {
      std::string piece = atom();
      int times = quantifier();
      for (int i = 0; i < times; ++i) out += piece;
    }
    return out;
  }

  static char escape_class(char c) {
    switch (c) {
      case 'd':
        return '0';
      case 'w':
        return 'a';
      case 's':
        return ' ';
      default:
        return c;
    }
  }

  std::string atom() {
    char c = p_[at_++];
    switch (c) {
      case '^':
      case '$':
        return {};
      case '.':
        return "a";
      case '\\':
        if (at_ >= p_.size()) throw std::invalid_argument("pattern ends in a backslash");
        return std::string(1, escape_class(p_[at_++]));
      case '(': {
        if (p_.substr(at_, 2) == "?:") at_ += 2;
        std::string inner = alternation();
        if (at_ >= p_.size() || p_[at_] != ')') throw std::invalid_argument("unclosed group");
        ++at_;
        return inner;
      }
      case '[':
        return std::string(1, character_class());
      default:
        return std::string(1, c);
    }
  }

  // The first character a [class] accepts; for [^...] the first of a few that it does not list.
  char character_class() {
    bool negated = at_ < p_.size() && p_[at_] == '^';
    if (negated) ++at_;
    std::string listed;
    char first = 0;
    bool any = false;
    while (at_ < p_.size() && (p_[at_] != ']' || !any)) {
      char c = p_[at_++];
      if (c == '\\' && at_ < p_.size()) c = escape_class(p_[at_++]);
      if (!any) first = c;
      any = true;
      if (at_ + 1 < p_.size() && p_[at_] == '-' && p_[at_ + 1] != ']') {
        char last = p_[at_ + 1];
        at_ += 2;
        for (int x = c; x <= last; ++x) listed += static_cast<char>(x);
      } else {
        listed += c;
      }
    }
    if (at_ >= p_.size()) throw std::invalid_argument("unclosed character class");
    ++at_;  // ']'
    if (!negated) return first;
    for (char candidate : std::string_view("a0x_Z.")) {
      if (listed.find(candidate) == std::string::npos) return candidate;
    }
    throw std::invalid_argument("cannot satisfy a negated class");
  }

  int number() {
    int n = 0;
    while (at_ < p_.size() && p_[at_] >= '0' && p_[at_] <= '9') n = n * 10 + (p_[at_++] - '0');
    return n;
  }

  int quantifier() {
    if (at_ >= p_.size()) return 1;
    int times = 1;
    char c = p_[at_];
    if (c == '?' || c == '*' || c == '+') {
      ++at_;
    } else if (c == '{') {
      ++at_;
      int least = number();
      int most = least;
      if (at_ < p_.size() && p_[at_] == ',') {
        ++at_;
        most = at_ < p_.size() && p_[at_] == '}' ? least + 1 : number();
      }
      if (at_ >= p_.size() || p_[at_] != '}') throw std::invalid_argument("bad {n,m}");
      ++at_;
      times = std::min(std::max(least, 1), std::max(most, 1));
    } else {
      return 1;
    }
    if (at_ < p_.size() && p_[at_] == '?') ++at_;  // lazy: the same strings
    return times;
  }

  std::string_view p_;
  std::size_t at_ = 0;
};

// The schema's "type", or its first non-null one when it lists several.
std::string type_of(const json::object& s) {
  const json::value* t = s.if_contains("type");
  if (t == nullptr) return {};
  if (t->is_string()) return std::string(t->get_string());
  if (t->is_array()) {
    for (const auto& each : t->get_array()) {
      if (each.is_string() && each.get_string() != "null") return std::string(each.get_string());
    }
  }
  return {};
}

std::int64_t int_of(const json::object& s, std::string_view key, std::int64_t otherwise) {
  const json::value* v = s.if_contains(key);
  if (v == nullptr) return otherwise;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return otherwise;
}

json::value string_example(const json::object& s) {
  std::string out;
  std::string format = s.contains("format") ? std::string(s.at("format").as_string()) : "";
  if (const json::value* p = s.if_contains("pattern"); p && p->is_string()) {
    out = example_matching(p->get_string());
  } else if (format == "email") {
    out = "sweep@example.com";
  } else if (format == "uuid") {
    out = "0190a4b2-0000-7000-8000-000000000000";
  } else if (format == "slug") {
    out = "sample-slug";
  } else if (format == "date-time") {
    out = "2026-01-01T00:00:00Z";
  } else if (format == "uri") {
    out = "https://example.com/";
  } else {
    out = "sample";
  }
  auto least = static_cast<std::size_t>(std::max<std::int64_t>(0, int_of(s, "minLength", 0)));
  auto most = int_of(s, "maxLength", -1);
  if (out.size() < least) out.append(least - out.size(), 'a');
  if (most >= 0 && out.size() > static_cast<std::size_t>(most)) {
    out.resize(static_cast<std::size_t>(most));
  }
  return json::value(out);
}

}  // namespace

std::string example_matching(std::string_view pattern) {
  return pattern_walker(pattern).run();
}

const json::value& schema_examples::resolve(const json::value& schema) const {
  const json::object* o = schema.if_object();
  if (o == nullptr) return schema;
  const json::value* ref = o->if_contains("$ref");
  if (ref == nullptr || !ref->is_string()) return schema;
  std::string_view path = ref->get_string();
  if (!path.starts_with("#/")) throw std::invalid_argument("external $ref: " + std::string(path));
  const json::value* at = &document_;
  path.remove_prefix(2);
  while (!path.empty()) {
    auto slash = path.find('/');
    std::string_view name = path.substr(0, slash);
    at = &at->as_object().at(name);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return resolve(*at);
}

json::value schema_examples::example(const json::value& schema,
                                     const property_override& overrides) const {
  return example(schema, overrides, 0);
}

json::value schema_examples::example(const json::value& schema, const property_override& overrides,
                                     int depth) const {
  if (depth > 16) throw std::invalid_argument("schema nests too deep for an example");
  const json::object* s = resolve(schema).if_object();
  if (s == nullptr) return "sample";
  if (const json::value* choices = s->if_contains("enum"); choices && choices->is_array()) {
    for (const auto& c : choices->get_array()) {
      if (!c.is_null()) return c;
    }
  }
  if (const json::value* c = s->if_contains("const")) return *c;
  std::string type = type_of(*s);
  if (type == "object" || (type.empty() && s->contains("properties"))) {
    json::object out;
    if (const json::value* props = s->if_contains("properties"); props && props->is_object()) {
      for (const auto& [name, property] : props->get_object()) {
        std::optional<json::value> chosen;
        if (overrides) chosen = overrides(name);
        out[name] = chosen ? std::move(*chosen) : example(property, overrides, depth + 1);
      }
    }
    return out;
  }
  if (type == "array") {
    json::array out;
    auto count = std::max<std::int64_t>(1, int_of(*s, "minItems", 1));
    const json::value* items = s->if_contains("items");
    for (std::int64_t i = 0; i < count; ++i) {
      out.push_back(items ? example(*items, overrides, depth + 1) : json::value("sample"));
    }
    return out;
  }
  if (type == "string") return string_example(*s);
  if (type == "integer") {
    std::int64_t v = std::max<std::int64_t>(int_of(*s, "minimum", 1), 1);
    return std::min(v, int_of(*s, "maximum", v));
  }
  if (type == "number") return 1.5;
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  return "sample";  // {}: any value
}

}  // namespace keel::test
