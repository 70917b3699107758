// The mutations: each function below changes one aspect of a request and says what it did.
#include "hostile.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

#include "core/auth/secrets.hpp"

namespace keel::test {
namespace {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_header(const header_list& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& kv) { return iequals(kv.first, name); });
}

void remove_header(header_list& h, std::string_view name) {
  h.erase(
      std::remove_if(h.begin(), h.end(), [&](const auto& kv) { return iequals(kv.first, name); }),
      h.end());
}

void set_header(header_list& h, std::string_view name, std::string value) {
  for (auto& [n, v] : h) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  h.emplace_back(std::string(name), std::move(value));
}

std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// Bytes no valid UTF-8 text contains, and texts that are valid but awkward.
const std::vector<std::string>& hostile_byte_strings() {
  static const std::vector<std::string> v = {
      std::string("\0", 1),    // NUL
      "\xff",                  // never valid in UTF-8
      "\xfe\xff",              // a UTF-16 byte order mark
      "\xc0\x80",              // overlong NUL
      "\xc0\xaf",              // overlong '/'
      "\xe0\x80\xaf",          // overlong '/', three bytes
      "\xf0\x80\x80\xaf",      // overlong '/', four bytes
      "\xed\xa0\x80",          // an encoded UTF-16 surrogate
      "\xf4\x90\x80\x80",      // above U+10FFFF
      "\xf8\x88\x80\x80\x80",  // a five-byte form
      "\xe2\x82",              // a character cut short
      "\x80",                  // a lone continuation byte
      "\r",                    // bare CR
      "\n",                    // bare LF
      "\r\n",                  // CRLF
      "\x01\x7f",              // control characters
      "\xe2\x80\xae",          // U+202E right-to-left override (valid)
      "\xef\xbb\xbf",          // a UTF-8 byte order mark (valid)
      "\xf0\x9f\x98\x80",      // an emoji (valid, four bytes)
      "%00",                   // a percent-encoded NUL as text
  };
  return v;
}

// Escapes that are valid JSON but decode to text a store may refuse.
const std::vector<std::string>& hostile_escapes() {
  static const std::vector<std::string> v = {
      "\\u0000",  "a\\u0000b",      "\\u0000\\u0000", "\\u0000x", "\\ud800", "\\udc00\\ud800",
      "\\udbff",  "\\ud83d\\ude00", "\\u001f",        "\\u007f",  "\\u202e", "\\ufeff",
      "\\uffff",  "\\ufffe",        "\\\\x00",        "\\r\\n",   "\\/",     "\\u00e9",
      "e\\u0301", "\\u0085",        "\\u2028",        "%00",
  };
  return v;
}

std::string json_quote(std::string_view raw) {
  return json::serialize(json::value(json::string(raw)));
}

// Every value inside `v` (v itself included), with a printable location.
void collect(json::value& v, const std::string& where,
             std::vector<std::pair<json::value*, std::string>>& out) {
  out.emplace_back(&v, where.empty() ? std::string("$") : where);
  if (auto* o = v.if_object()) {
    for (auto& [k, child] : *o) collect(child, where + "." + std::string(k), out);
  } else if (auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      collect((*a)[i], where + "[" + std::to_string(i) + "]", out);
    }
  }
}

constexpr std::string_view placeholder = "@@HOSTILE@@";

// Serializes `root` with the placeholder string's (quoted) text replaced by `raw`.
std::string splice(const json::value& root, std::string_view raw) {
  std::string text = json::serialize(root);
  std::string quoted = "\"" + std::string(placeholder) + "\"";
  auto at = text.find(quoted);
  if (at != std::string::npos) text.replace(at, quoted.size(), raw);
  return text;
}

}  // namespace

std::string wire_request::bytes() const {
  std::string out;
  out.reserve(target.size() + body.size() + 256);
  out.append(method).append(" ").append(target).append(" ").append(version).append("\r\n");
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  if (add_length && !body.empty() && !has_header(headers, "Content-Length") &&
      !has_header(headers, "Transfer-Encoding")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::string wire_request::path() const {
  return target.substr(0, target.find('?'));
}

std::string wire_request::query() const {
  auto q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

std::string percent_encode(std::string_view raw) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string hostile_mutator::hostile_bytes() {
  return pick(hostile_byte_strings());
}

std::string hostile_mutator::hostile_json_string() {
  if (chance(0.5)) return pick(hostile_escapes());
  return hostile_bytes();  // raw bytes inside the literal: invalid JSON or invalid UTF-8
}

std::string hostile_mutator::hostile_json_value() {
  static const std::vector<std::string> v = {"null",
                                             "true",
                                             "false",
                                             "0",
                                             "-1",
                                             "1.5",
                                             "1e400",
                                             "-1e400",
                                             "1e-400",
                                             "-0",
                                             "9223372036854775807",
                                             "9223372036854775808",
                                             "18446744073709551616",
                                             "-9223372036854775809",
                                             "2147483648",
                                             "-2147483649",
                                             "0.1e1",
                                             "01",
                                             "0x10",
                                             "NaN",
                                             "Infinity",
                                             "\"\"",
                                             "\"1\"",
                                             "\"true\"",
                                             "[]",
                                             "{}",
                                             "[null]",
                                             "{\"\":\"\"}",
                                             "[[]]",
                                             "{\"a\":{}}",
                                             "\"\\u0000\"",
                                             "\"\\ud800\"",
                                             "\"\xff\"",
                                             "\"\xc0\x80\""};
  return pick(v);
}

std::string hostile_mutator::mutate_encoded_json(std::string_view encoded, std::string& what) {
  auto decoded = auth::base64url_decode(encoded);
  json::error_code ec;
  json::value v = decoded ? json::parse(*decoded, ec) : json::value();
  std::string text;
  if (!decoded || ec || !v.is_object() || v.as_object().empty()) {
    text = hostile_json_value();
    what = "replaced by " + text;
  } else {
    json::object& o = v.as_object();
    std::string key(o.begin()[static_cast<std::ptrdiff_t>(below(o.size()))].key());
    std::string raw;
    if (chance(0.6)) {
      std::string inner = hostile_json_string();
      raw = o.at(key).is_string() ? json_quote(o.at(key).as_string()) : "\"\"";
      raw.insert(raw.size() - 1, inner);
    } else {
      raw = hostile_json_value();
    }
    o[key] = json::string(placeholder);
    text = splice(v, raw);
    what = key + " = " + raw.substr(0, 60);
  }
  return auth::base64url_encode(text);
}

std::string hostile_mutator::chunked(std::string_view body) {
  std::string out;
  while (!body.empty()) {
    std::size_t n = std::min(body.size(), 1 + below(std::max<std::size_t>(body.size(), 1)));
    char size[32];
    std::snprintf(size, sizeof size, "%zx", n);
    out.append(size).append("\r\n").append(body.substr(0, n)).append("\r\n");
    body.remove_prefix(n);
  }
  out += "0\r\n\r\n";
  return out;
}

// ---- JSON bodies --------------------------------------------------------------------------

void hostile_mutator::json_body(wire_request& r, mutated_request& out) {
  json::error_code ec;
  json::value root = json::parse(r.body, ec);
  if (ec) {
    body_bytes(r, out);
    return;
  }
  std::vector<std::pair<json::value*, std::string>> nodes;
  collect(root, "", nodes);
  // Weights: hostile text 25, long strings 15, wrong types 12, then the shapes.
  static const std::vector<int> weights = {25, 15, 12, 10, 8, 8, 8, 7, 7};
  std::size_t op = 0;
  for (std::size_t roll = below(100); roll >= static_cast<std::size_t>(weights[op]); ++op) {
    roll -= static_cast<std::size_t>(weights[op]);
  }
  // Each change is aimed mostly at the nodes it means most for: text members (where DTOs read
  // what clients say) for text, arrays for element counts, objects for keys.
  auto fits = [op](const json::value& v) {
    if (op <= 1) return v.is_string();
    if (op == 3) return v.is_array();
    if (op >= 5 && op <= 7) return v.is_object();
    return true;
  };
  std::vector<std::pair<json::value*, std::string>> aimed;
  for (const auto& n : nodes) {
    if (fits(*n.first)) aimed.push_back(n);
  }
  auto [node, where] =
      !aimed.empty() && chance(0.8) ? aimed[below(aimed.size())] : nodes[below(nodes.size())];
  const std::string original = json::serialize(*node);

  auto replace_with = [&](std::string_view kind, const std::string& raw, std::string detail) {
    *node = json::string(placeholder);
    r.body = splice(root, raw);
    out.applied.push_back({std::string(kind), where + ": " + std::move(detail)});
  };

  switch (op) {
    case 0: {  // hostile text inside a string
      std::string inner = hostile_json_string();
      std::string text;
      if (node->is_string()) {
        std::string s(node->get_string());
        std::size_t cut = below(s.size() + 1);
        std::string quoted_head = json_quote(s.substr(0, cut));
        std::string quoted_tail = json_quote(s.substr(cut));
        text = quoted_head.substr(0, quoted_head.size() - 1) + inner + quoted_tail.substr(1);
      } else {
        text = "\"" + inner + "\"";
      }
      replace_with("json.string_bytes", text, "string with " + inner);
      break;
    }
    case 1: {  // long strings, in characters of every width
      static const std::vector<std::string> units = {
          "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\\u0000", "\\\"", " "};
      static const std::vector<std::size_t> lengths = {7,   8,   65,  101,  129,   201,   255,
                                                       256, 257, 513, 1025, 65537, 400000};
      const std::string& unit = pick(units);
      std::size_t n = pick(lengths);
      replace_with("json.long_string", "\"" + repeat(unit, n) + "\"",
                   std::to_string(n) + " x " + unit);
      break;
    }
    case 2:
      replace_with("json.wrong_type", hostile_json_value(), "value " + original.substr(0, 40));
      break;
    case 3: {  // many elements
      static const std::vector<std::size_t> counts = {11, 21, 101, 1000, 50000, 300000};
      std::vector<std::string> elements = {"{}", "0", "\"a\"", "null", "[]"};
      if (original.size() < 200) elements.push_back(original);
      const std::string& element = pick(elements);
      std::size_t n = pick(counts);
      n = std::min<std::size_t>(n, 1100000 / (element.size() + 1));
      std::string text = "[";
      for (std::size_t i = 0; i < n; ++i) text.append(i ? "," : "").append(element);
      text += "]";
      replace_with("json.huge_array", text, std::to_string(n) + " x " + element.substr(0, 40));
      break;
    }
    case 4: {  // deep nesting
      static const std::vector<std::size_t> depths = {33, 64, 129, 1000, 10000, 200000};
      std::size_t depth = pick(depths);
      bool arrays = chance(0.5);
      std::string text = arrays ? repeat("[", depth) + original + repeat("]", depth)
                                : repeat("{\"a\":", depth) + original + repeat("}", depth);
      replace_with("json.deep_nesting", text,
                   std::to_string(depth) + (arrays ? " arrays" : " objects") + " deep");
      break;
    }
    case 5: {  // a key given twice
      json::object* o = node->if_object();
      if (o == nullptr || o->empty()) {
        replace_with("json.wrong_type", hostile_json_value(), "value " + original.substr(0, 40));
        break;
      }
      std::string key(o->begin()[static_cast<std::ptrdiff_t>(below(o->size()))].key());
      std::string again = chance(0.5) ? hostile_json_value() : json::serialize(o->at(key));
      (*o)[placeholder] = 0;
      std::string text = json::serialize(root);
      std::string marker = "\"" + std::string(placeholder) + "\":0";
      text.replace(text.find(marker), marker.size(), json_quote(key) + ":" + again);
      r.body = std::move(text);
      out.applied.push_back({"json.duplicate_key", where + ": " + key + " again as " + again});
      break;
    }
    case 6: {  // a hostile key
      json::object* o = node->if_object();
      if (o == nullptr || o->empty()) {
        replace_with("json.string_bytes", "\"" + hostile_json_string() + "\"", "string");
        break;
      }
      std::string key(o->begin()[static_cast<std::ptrdiff_t>(below(o->size()))].key());
      std::vector<std::string> keys = {key + hostile_json_string(), hostile_json_string() + key, "",
                                       repeat("k", 100000), key.empty() ? "x" : key.substr(1)};
      std::string hostile_key = pick(keys);
      json::value moved = o->at(key);
      o->erase(key);
      (*o)[placeholder] = std::move(moved);
      std::string text = json::serialize(root);
      std::string marker = "\"" + std::string(placeholder) + "\"";
      text.replace(text.find(marker), marker.size(), "\"" + hostile_key + "\"");
      r.body = std::move(text);
      out.applied.push_back({"json.hostile_key", where + ": key " + key.substr(0, 40) + " -> " +
                                                     hostile_key.substr(0, 60)});
      break;
    }
    case 7: {  // a property dropped, or an unknown one added
      if (json::object* o = node->if_object(); o && !o->empty() && chance(0.5)) {
        std::string key(o->begin()[static_cast<std::ptrdiff_t>(below(o->size()))].key());
        o->erase(key);
        r.body = json::serialize(root);
        out.applied.push_back({"json.drop_key", where + ": without " + key});
      } else if (o) {
        (*o)[placeholder] = 0;
        std::string text = json::serialize(root);
        std::string marker = "\"" + std::string(placeholder) + "\":0";
        std::string value = hostile_json_value();
        text.replace(text.find(marker), marker.size(), "\"zz_unknown\":" + value);
        r.body = std::move(text);
        out.applied.push_back({"json.unknown_key", where + ": zz_unknown = " + value});
      } else {
        replace_with("json.wrong_type", hostile_json_value(), "value " + original.substr(0, 40));
      }
      break;
    }
    default: {  // the whole document replaced by almost-JSON
      static const std::vector<std::string> documents = {"",
                                                         " ",
                                                         "{",
                                                         "}",
                                                         "{\"a\":",
                                                         "[",
                                                         "null",
                                                         "0",
                                                         "\"str\"",
                                                         "[]",
                                                         "{}{}",
                                                         "{} {}",
                                                         "{\"a\":1,}",
                                                         "{'a':1}",
                                                         "{a:1}",
                                                         "/*c*/{}",
                                                         "{}\x00",
                                                         "\xef\xbb\xbf{}",
                                                         "\xff\xfe{\x00}\x00",
                                                         "{\"a\":\"\\x41\"}",
                                                         "{\"a\":\"\\u12\"}",
                                                         "{\"a\" 1}",
                                                         "{\"a\":tru}",
                                                         "{\"a\":1}garbage",
                                                         "{\"a\":\"unterminated}"};
      std::string doc = pick(documents);
      r.body = doc;
      out.applied.push_back({"json.document", "body " + doc});
      break;
    }
  }
}

// ---- body bytes ---------------------------------------------------------------------------

void hostile_mutator::body_bytes(wire_request& r, mutated_request& out) {
  std::string& b = r.body;
  switch (below(7)) {
    case 0: {
      int flips = 1 + static_cast<int>(below(8));
      for (int i = 0; i < flips && !b.empty(); ++i) {
        b[below(b.size())] ^= static_cast<char>(1u << below(8));
      }
      out.applied.push_back({"body.bit_flip", std::to_string(flips) + " bits"});
      break;
    }
    case 1: {
      std::string bytes = hostile_bytes();
      std::size_t at = below(b.size() + 1);
      b.insert(at, bytes);
      out.applied.push_back({"body.insert", "at " + std::to_string(at)});
      break;
    }
    case 2: {
      std::size_t at = below(b.size() + 1);
      std::size_t n = below(b.size() - at + 1);
      b.erase(at, n);
      out.applied.push_back({"body.delete", std::to_string(n) + " bytes at " + std::to_string(at)});
      break;
    }
    case 3: {
      std::size_t keep = below(b.size() + 1);
      b.resize(keep);
      out.applied.push_back({"body.truncate", "to " + std::to_string(keep) + " bytes"});
      break;
    }
    case 4: {
      std::size_t at = below(b.size() + 1);
      std::size_t n = below(b.size() - at + 1);
      std::string slice = b.substr(at, n);
      b.insert(below(b.size() + 1), slice);
      out.applied.push_back({"body.duplicate", std::to_string(n) + " bytes"});
      break;
    }
    case 5: {
      std::size_t n = below(2049);
      std::string noise(n, '\0');
      for (auto& c : noise) c = static_cast<char>(below(256));
      b = std::move(noise);
      out.applied.push_back({"body.random", std::to_string(n) + " random bytes"});
      break;
    }
    default: {  // the same JSON as UTF-16LE (what charset=utf-16 would mean)
      std::string wide;
      for (char c : b) wide.append(1, c).append(1, '\0');
      b = std::move(wide);
      out.applied.push_back({"body.utf16", "UTF-16LE of the body"});
      break;
    }
  }
}

// ---- headers ------------------------------------------------------------------------------

void hostile_mutator::content_type(wire_request& r, mutated_request& out) {
  static const std::vector<std::string> types = {"application/json; charset=utf-8",
                                                 "application/json; charset=UTF-8",
                                                 "application/json;charset=utf-8",
                                                 "application/json; charset=\"utf-8\"",
                                                 "application/json; charset=utf-16",
                                                 "application/json; charset=utf-16le",
                                                 "application/json; charset=iso-8859-1",
                                                 "application/json; charset=",
                                                 "application/json; charset=utf-8; charset=utf-16",
                                                 "application/json; boundary=x",
                                                 "APPLICATION/JSON",
                                                 "application/json;",
                                                 "application/json ;",
                                                 "application/json;;;",
                                                 "application/jsonx",
                                                 "application/json-patch+json",
                                                 "application/problem+json",
                                                 "application/vnd.api+json",
                                                 "text/json",
                                                 "text/plain",
                                                 "multipart/form-data; boundary=x",
                                                 "application/x-www-form-urlencoded",
                                                 "*/*",
                                                 "",
                                                 " ",
                                                 "application/json\xff",
                                                 "application/json; charset=utf-8\xc0\x80",
                                                 std::string("application/json\0", 17),
                                                 "application/" + repeat("j", 5000)};
  int what = static_cast<int>(below(3));
  if (what == 0) {
    remove_header(r.headers, "Content-Type");
    out.applied.push_back({"header.content_type", "removed"});
  } else if (what == 1) {
    std::string t = pick(types);
    set_header(r.headers, "Content-Type", t);
    out.applied.push_back({"header.content_type", t.substr(0, 80)});
  } else {
    std::string t = pick(types);
    r.headers.emplace_back("Content-Type", t);
    out.applied.push_back({"header.content_type", "a second one: " + t.substr(0, 80)});
  }
}

void hostile_mutator::content_length(wire_request& r, mutated_request& out) {
  out.answer_expected = false;
  std::size_t n = r.body.size();
  r.add_length = false;
  remove_header(r.headers, "Content-Length");
  std::vector<std::string> values = {
      std::to_string(n + 1 + below(100)),  // longer than sent: the server waits, sees EOF
      std::to_string(n) + ", " + std::to_string(n),
      "-1",
      "+" + std::to_string(n),
      " " + std::to_string(n) + " ",
      "0x10",
      "1e3",
      "",
      "99999999999999999999999",
      "18446744073709551615",
      "abc",
      std::to_string(n) + "\xff",
      std::string("5\0", 2)};
  if (n > 0) values.push_back(std::to_string(below(n)));  // shorter: the rest is a request
  bool twice = chance(0.2);
  std::string v = pick(values);
  r.headers.emplace_back("Content-Length", v);
  if (twice) r.headers.emplace_back("Content-Length", std::to_string(n));
  bool digits = !v.empty() && v.size() < 19 && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (digits && std::stoull(v) < n) out.single_response = false;
  out.applied.push_back({"header.content_length", "\"" + v + "\" for " + std::to_string(n) +
                                                      " bytes" +
                                                      (twice ? ", then the right one" : "")});
}

void hostile_mutator::transfer_encoding(wire_request& r, mutated_request& out) {
  out.answer_expected = false;
  struct shape {
    std::string value;
    bool encode;  // send the body chunked
  };
  static const std::vector<shape> shapes = {
      {"chunked", true},           {"Chunked", true},
      {"CHUNKED", true},           {" chunked", true},
      {"chunked ", true},          {"chunked, identity", false},
      {"chunked, identity", true}, {"gzip", false},
      {"identity", false},         {"xchunked", false},
      {"chunked, chunked", true},  {"gzip, chunked", true},
      {"chunked;q=1", true},       {"\"chunked\"", true},
      {"chunked\xff", true},       {"", false},
      {"chunked\r\n", true},       {"deflate", false},
      {"compress, chunked", true}, {"chunked, gzip", false}};
  const shape& s = pick(shapes);
  remove_header(r.headers, "Content-Length");
  bool keep_length = chance(0.3);
  std::string body = s.encode ? chunked(r.body) : r.body;
  std::string detail = "\"" + s.value + "\"" + (s.encode ? ", body chunked" : ", body raw");
  if (s.encode && chance(0.3)) {
    // A chunk framing fault on top.
    static const std::vector<std::pair<std::string, std::string>> faults = {
        {"size with extension", "5;ext=1\r\nhello\r\n0\r\n\r\n"},
        {"leading zeros", "0005\r\nhello\r\n0\r\n\r\n"},
        {"size larger than data", "ff\r\nhello\r\n0\r\n\r\n"},
        {"negative size", "-5\r\nhello\r\n0\r\n\r\n"},
        {"huge size", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"},
        {"no last chunk", "5\r\nhello\r\n"},
        {"trailer", "5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"},
        {"bare LF", "5\nhello\n0\n\n"},
        {"no CRLF after data", "5\r\nhello0\r\n\r\n"},
        {"size in spaces", "5 \r\nhello\r\n0\r\n\r\n"},
        {"NUL in size", std::string("5\0\r\nhello\r\n0\r\n\r\n", 16)}};
    const auto& [name, text] = pick(faults);
    body = text;
    detail += ", " + name;
  }
  r.body = std::move(body);
  r.add_length = false;
  r.headers.emplace_back("Transfer-Encoding", s.value);
  if (chance(0.15)) {
    r.headers.emplace_back("Transfer-Encoding", "chunked");
    detail += ", a second TE header";
  }
  if (keep_length) {
    r.headers.emplace_back("Content-Length", std::to_string(r.body.size()));
    detail += ", with Content-Length";
  }
  if (chance(0.15)) {
    r.version = "HTTP/1.0";
    detail += ", on HTTP/1.0";
  }
  out.applied.push_back({"header.transfer_encoding", detail});
}

void hostile_mutator::header_value(wire_request& r, mutated_request& out,
                                   const mutation_inputs& inputs) {
  static const std::vector<std::string> names = {
      "User-Agent",      "X-Request-Id",    "Authorization",     "Cookie",          "Origin",
      "Accept",          "X-Forwarded-For", "X-Client-Platform", "Idempotency-Key", "Referer",
      "Accept-Language", "If-None-Match",   "X-Custom"};
  // User-Agent is stored with every sign-in and session, so it gets a third of the picks.
  std::string name = chance(0.3) ? std::string("User-Agent") : pick(names);
  std::string value;
  std::string detail;
  switch (below(4)) {
    case 0: {  // long values, some cut inside a character at a round size
      static const std::vector<std::size_t> lengths = {129,  511,  512,   513,   1024,
                                                       4096, 8192, 16000, 16384, 20000};
      static const std::vector<std::string> units = {"a", "\xc3\xa9", "\xe2\x82\xac",
                                                     "\xf0\x9f\x98\x80"};
      std::size_t n = pick(lengths);
      const std::string& unit = pick(units);
      value = repeat("a", below(4));
      while (value.size() < n) value += unit;  // valid UTF-8, ending on a character
      bool cut = chance(0.3);
      if (cut) value.resize(n);  // maybe inside the last character
      detail = std::to_string(value.size()) + " bytes of " + unit + (cut ? ", cut" : "");
      break;
    }
    case 1: {  // hostile bytes in a plausible value
      std::string base = name == "User-Agent" ? "Mozilla/5.0" : "value";
      std::string bytes = hostile_bytes();
      value = base.substr(0, below(base.size() + 1)) + bytes + base;
      detail = "value with " + bytes;
      if (bytes.find_first_of("\r\n") != std::string::npos) out.single_response = false;
      break;
    }
    case 2: {  // valid UTF-8 of every width
      static const std::vector<std::string> texts = {"\xc3\xa9t\xc3\xa9",
                                                     "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
                                                     "\xe2\x80\xae"
                                                     "abc",
                                                     "\xef\xbb\xbf"
                                                     "bom"};
      value = pick(texts);
      detail = "UTF-8 " + value;
      break;
    }
    default: {  // meaningful headers with the wrong meaning
      if (name == "Origin") {
        static const std::vector<std::string> origins = {"null", "http://evil.example", "*",
                                                         "http://127.0.0.1:3000.evil.example"};
        value =
            chance(0.5) && !inputs.allowed_origin.empty() ? inputs.allowed_origin : pick(origins);
      } else if (name == "Cookie") {
        static const std::vector<std::string> cookies = {
            "keel_refresh=",          "keel_refresh", "keel_refresh=a; keel_refresh=b", ";;;", "=",
            "keel_refresh=\"quoted\""};
        value = chance(0.5) ? "keel_refresh=" + inputs.refresh_token : pick(cookies);
        r.headers.emplace_back("X-Client-Platform", "web");
        if (!inputs.allowed_origin.empty()) r.headers.emplace_back("Origin", inputs.allowed_origin);
      } else if (name == "X-Forwarded-For") {
        static const std::vector<std::string> hops = {
            "1.2.3.4", "1.2.3.4, 5.6.7.8", "::1", "not an address", ",,,,", "999.1.1.1"};
        value = pick(hops);
      } else if (name == "X-Client-Platform") {
        static const std::vector<std::string> platforms = {"web", "WEB", "ios", "", "web\xff"};
        value = pick(platforms);
      } else {
        value = "";
      }
      detail = "\"" + value.substr(0, 60) + "\"";
      break;
    }
  }
  if (chance(0.7)) {
    set_header(r.headers, name, value);
  } else {
    r.headers.emplace_back(name, value);
    detail += " (added again)";
  }
  out.applied.push_back({"header.value", name + ": " + detail});
}

void hostile_mutator::header_shape(wire_request& r, mutated_request& out) {
  switch (below(7)) {
    case 0: {  // many headers
      static const std::vector<std::size_t> counts = {100, 500, 1000, 3000};
      std::size_t n = pick(counts);
      for (std::size_t i = 0; i < n; ++i) r.headers.emplace_back("X-H" + std::to_string(i), "v");
      out.applied.push_back({"header.many", std::to_string(n) + " headers"});
      break;
    }
    case 1: {  // names no header may have
      static const std::vector<std::string> lines = {std::string("X\0A: b", 6),
                                                     "Bad Header: x",
                                                     ": novalue",
                                                     "X-A : spaced",
                                                     "no colon at all",
                                                     "X-\xff: y",
                                                     " X-Leading-Space: y",
                                                     "X-A:\tb",
                                                     "X-Fold: a\r\n b",
                                                     "Content-Length : 5",
                                                     repeat("N", 9000) + ": v"};
      std::string line = pick(lines);
      auto colon = line.find(':');
      // Written through the header list, so the line is the name and an empty value is added.
      if (colon == std::string::npos) {
        r.headers.emplace_back(line, "");
      } else {
        std::string value = line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        r.headers.emplace_back(line.substr(0, colon), value);
      }
      out.single_response = false;
      out.applied.push_back({"header.bad_name", line.substr(0, 60)});
      break;
    }
    case 2: {  // Host missing, twice, or odd
      static const std::vector<std::string> hosts = {"",
                                                     "a b",
                                                     "127.0.0.1:99999",
                                                     "evil.example",
                                                     "[::1",
                                                     repeat("h", 5000),
                                                     std::string("127.0.0.1\0", 10),
                                                     "\xff"};
      int what = static_cast<int>(below(3));
      if (what == 0) {
        remove_header(r.headers, "Host");
        out.applied.push_back({"header.host", "removed"});
      } else if (what == 1) {
        r.headers.emplace_back("Host", "other.example");
        out.applied.push_back({"header.host", "twice"});
      } else {
        std::string h = pick(hosts);
        set_header(r.headers, "Host", h);
        out.applied.push_back({"header.host", "\"" + h.substr(0, 40) + "\""});
      }
      break;
    }
    case 3: {  // Expect
      static const std::vector<std::string> expects = {"100-continue", "100-CONTINUE", "200-ok",
                                                       ""};
      std::string e = pick(expects);
      r.headers.emplace_back("Expect", e);
      out.applied.push_back({"header.expect", e});
      break;
    }
    case 6: {  // a CORS preflight, from an allowed origin or not, asking for odd things
      static const std::vector<std::string> methods = {"GET", "POST", "DELETE",    "FOO",
                                                       "",    "get",  "GET, POST", "\xff"};
      static const std::vector<std::string> asked = {"Content-Type", "Authorization, X-Evil", "",
                                                     "\xc0\x80", "*"};
      r.method = "OPTIONS";
      std::string origin = chance(0.5) ? "http://127.0.0.1:3000" : "http://evil.example";
      std::string method = pick(methods);
      std::string headers = pick(asked);
      set_header(r.headers, "Origin", origin);
      r.headers.emplace_back("Access-Control-Request-Method", method);
      r.headers.emplace_back("Access-Control-Request-Headers", headers);
      out.applied.push_back({"header.preflight", origin + " asks " + method + " / " + headers});
      break;
    }
    case 4: {  // Connection and Upgrade
      static const std::vector<std::pair<std::string, std::string>> pairs = {
          {"Connection", "close"},   {"Connection", "keep-alive"},
          {"Connection", "Upgrade"}, {"Upgrade", "websocket"},
          {"Upgrade", "h2c"},        {"Connection", "close, close"},
          {"Connection", "\xff"},    {"Keep-Alive", "timeout=99999"}};
      const auto& [n, v] = pick(pairs);
      r.headers.emplace_back(n, v);
      out.applied.push_back({"header.connection", n + ": " + v});
      break;
    }
    default: {  // headers in a new order, or one header doubled
      if (r.headers.size() > 1) {
        std::shuffle(r.headers.begin(), r.headers.end(), rng_);
        out.applied.push_back({"header.order", "shuffled"});
      } else if (!r.headers.empty()) {
        r.headers.push_back(r.headers.front());
        out.applied.push_back({"header.order", "first doubled"});
      }
      break;
    }
  }
}

void hostile_mutator::authorization(wire_request& r, mutated_request& out,
                                    const mutation_inputs& inputs) {
  std::string token = inputs.bearer_token.empty() ? "a.b.c" : inputs.bearer_token;
  std::string flipped = token;
  if (!flipped.empty()) flipped[below(flipped.size())] ^= static_cast<char>(1u << below(6));
  std::string truncated = token.substr(0, below(token.size() + 1));
  // A token whose header claims "alg":"none" (base64url of {"alg":"none","typ":"JWT"}).
  std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + token.substr(token.find('.') + 1);
  std::vector<std::string> values = {"Bearer " + flipped,
                                     "Bearer " + truncated,
                                     "Bearer",
                                     "Bearer ",
                                     "bearer " + token,
                                     "BEARER " + token,
                                     "Bearer  " + token,
                                     "Basic dXNlcjpwYXNz",
                                     "Bearer " + token + token,
                                     "Bearer " + token + "\xff",
                                     "Bearer " + repeat("A", 10000),
                                     "Bearer a.b.c",
                                     "Bearer ..",
                                     "Bearer " + none,
                                     "Bearer " + token + ".extra",
                                     "Token " + token,
                                     std::string("Bearer \0", 8) + token,
                                     "Bearer " + token + ", Bearer " + token};
  std::string v = pick(values);
  if (chance(0.3)) {
    // A claim or header member of the real token changed (the signature then no longer fits).
    auto first_dot = token.find('.');
    auto second_dot = token.find('.', first_dot + 1);
    if (first_dot != std::string::npos && second_dot != std::string::npos) {
      bool in_header = chance(0.4);
      std::string part = in_header ? token.substr(0, first_dot)
                                   : token.substr(first_dot + 1, second_dot - first_dot - 1);
      std::string what;
      std::string changed = mutate_encoded_json(part, what);
      v = "Bearer " + (in_header
                           ? changed + token.substr(first_dot)
                           : token.substr(0, first_dot + 1) + changed + token.substr(second_dot));
      out.applied.push_back({"header.jwt_claims", (in_header ? "header " : "claims ") + what});
      set_header(r.headers, "Authorization", v);
      return;
    }
  }
  if (chance(0.8)) {
    set_header(r.headers, "Authorization", v);
  } else {
    r.headers.emplace_back("Authorization", v);
  }
  out.applied.push_back({"header.authorization", v.substr(0, 60) + (v.size() > 60 ? "..." : "")});
}

// ---- request line -------------------------------------------------------------------------

void hostile_mutator::request_line(wire_request& r, mutated_request& out) {
  switch (below(3)) {
    case 0: {
      std::vector<std::string> methods = {"get",
                                          "HEAD",
                                          "OPTIONS",
                                          "PUT",
                                          "PATCH",
                                          "DELETE",
                                          "POST",
                                          "TRACE",
                                          "CONNECT",
                                          "FOO",
                                          "G\xff"
                                          "T",
                                          repeat("A", 5000),
                                          "GET\tGET",
                                          r.method + " "};
      std::string m = pick(methods);
      out.head = m == "HEAD";
      r.method = m;
      if (m.find(' ') != std::string::npos || m.find('\t') != std::string::npos) {
        out.single_response = false;
      }
      out.applied.push_back({"line.method", m.substr(0, 40)});
      break;
    }
    case 1: {
      static const std::vector<std::string> versions = {
          "HTTP/1.0", "HTTP/0.9",       "HTTP/2.0",  "HTTP/1.2", "HTTP/1.1x", "http/1.1",
          "HTTP/1",   "HTTP/1.1 extra", "HTTP/01.1", "HTTP/9.9", ""};
      std::string v = pick(versions);
      r.version = v;
      out.single_response = v != "";
      out.applied.push_back({"line.version", "\"" + v + "\""});
      break;
    }
    default: {
      std::vector<std::string> targets = {
          "http://127.0.0.1" + r.target,
          "*",
          "",
          "?" + r.query(),
          "//" + r.target,
          r.target + "#fragment",
          r.target + " " + r.target,
          r.path() + "\xff",
          std::string("/\0", 2) + r.target,
          r.target + "\t",
          "\\" + (r.target.empty() ? std::string() : r.target.substr(1))};
      std::string t = pick(targets);
      r.target = t;
      out.single_response = false;  // a space or tab in the target splits the line
      out.applied.push_back({"line.target", t.substr(0, 80)});
      break;
    }
  }
}

// ---- path and query -----------------------------------------------------------------------

void hostile_mutator::path_segment(wire_request& r, mutated_request& out) {
  std::string path = r.path();
  std::string query = r.query();
  std::vector<std::string> segments;
  for (std::size_t at = 1; at <= path.size();) {
    auto next = path.find('/', at);
    if (next == std::string::npos) next = path.size();
    segments.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  if (segments.empty()) segments.emplace_back();
  std::size_t which = below(segments.size());
  std::string& seg = segments[which];
  static const std::vector<std::string> encoded = {
      "%00",    "%FF", "%ff", "%C0%80", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E2%82", "%",
      "%z",     "%2",  "%2F", "%25",    "%2e%2e", "%0d%0a",    "%20",          "+",      ";x=1",
      "%u0000", "..",  ".",   "\xff",   "\x01",   "\xc3\xa9",  "%E2%80%AE"};
  std::string detail;
  switch (below(4)) {
    case 0: {
      std::string e = pick(encoded);
      seg.insert(below(seg.size() + 1), e);
      detail = "segment " + std::to_string(which) + " with " + e;
      break;
    }
    case 1: {
      std::string e = pick(encoded);
      seg = e;
      detail = "segment " + std::to_string(which) + " = " + e;
      break;
    }
    case 2: {
      static const std::vector<std::size_t> lengths = {65, 256, 300, 2048, 8000, 15000, 20000};
      std::size_t n = pick(lengths);
      seg = chance(0.5) ? repeat("a", n) : repeat("%FF", n / 3 + 1);
      detail = "segment " + std::to_string(which) + " of " + std::to_string(seg.size()) + " bytes";
      break;
    }
    default: {
      static const std::vector<std::size_t> counts = {2, 50, 1000};
      std::size_t n = pick(counts);
      segments.insert(segments.begin() + static_cast<std::ptrdiff_t>(which), n, "x");
      detail = std::to_string(n) + " extra segments";
      break;
    }
  }
  std::string rebuilt;
  for (const auto& s : segments) rebuilt += "/" + s;
  r.target = rebuilt + (query.empty() ? "" : "?" + query);
  out.applied.push_back({"path.segment", detail});
}

void hostile_mutator::query_param(wire_request& r, mutated_request& out) {
  std::string path = r.path();
  std::string query = r.query();
  std::vector<std::pair<std::string, std::string>> params;
  for (std::size_t at = 0; at < query.size();) {
    auto amp = query.find('&', at);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(at, amp - at);
    auto eq = pair.find('=');
    params.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    at = amp + 1;
  }
  static const std::vector<std::string> names = {"limit", "cursor", "category", "state", "queue",
                                                 "kind",  "action", "user_id",  "size",  "section"};
  if (params.empty() || chance(0.2)) params.emplace_back(pick(names), "1");
  auto& [name, value] = params[below(params.size())];
  static const std::vector<std::string> values = {"%00",
                                                  "%FF",
                                                  "%C0%80",
                                                  "%ED%A0%80",
                                                  "%",
                                                  "%zz",
                                                  "abc",
                                                  "-1",
                                                  "0",
                                                  "1e3",
                                                  "1.5",
                                                  "99999999999999999999",
                                                  "-9223372036854775809",
                                                  "",
                                                  "+",
                                                  "%20",
                                                  "true",
                                                  "null",
                                                  "%5B%5D",
                                                  "[]",
                                                  "a%00b",
                                                  "\xff",
                                                  "%E2%80%AE",
                                                  "0x10",
                                                  " 1",
                                                  "1 "};
  std::string detail;
  // A cursor is base64url JSON: change what it decodes to, not only its letters.
  if (auth::base64url_decode(value) && chance(0.5)) {
    std::string what;
    value = mutate_encoded_json(value, what);
    r.target = path + "?";
    for (std::size_t i = 0; i < params.size(); ++i) {
      r.target += (i ? "&" : "") + params[i].first + "=" + params[i].second;
    }
    out.applied.push_back({"query.encoded_json", name + ": " + what});
    return;
  }
  switch (below(5)) {
    case 0:
      value = pick(values);
      detail = name + "=" + value;
      break;
    case 1:
      value.insert(below(value.size() + 1), pick(values));
      detail = name + "=" + value.substr(0, 60);
      break;
    case 2: {
      static const std::vector<std::size_t> lengths = {65, 101, 513, 600, 5000, 15000};
      std::size_t n = pick(lengths);
      value = chance(0.5) ? repeat("a", n) : repeat("%FF", n / 3 + 1);
      detail = name + " of " + std::to_string(value.size()) + " bytes";
      break;
    }
    case 3: {
      std::string again = pick(values);
      std::string twice = name;  // copied: emplace_back may move what `name` refers to
      params.emplace_back(twice, again);
      detail = twice + " twice (then " + again + ")";
      break;
    }
    default: {
      static const std::vector<std::size_t> counts = {100, 1000};
      std::size_t n = pick(counts);
      for (std::size_t i = 0; i < n; ++i) params.emplace_back("p" + std::to_string(i), "1");
      detail = std::to_string(n) + " more parameters";
      break;
    }
  }
  std::string rebuilt;
  for (const auto& [n, v] : params) {
    rebuilt += rebuilt.empty() ? "" : "&";
    rebuilt += n;
    if (!v.empty() || chance(0.5)) rebuilt += "=" + v;
  }
  r.target = path + "?" + rebuilt;
  out.applied.push_back({"query.param", detail});
}

// ---- whole request bytes ------------------------------------------------------------------

void hostile_mutator::whole_bytes(std::string& bytes, mutated_request& out) {
  out.answer_expected = false;
  out.single_response = false;
  switch (below(4)) {
    case 0: {
      int flips = 1 + static_cast<int>(below(4));
      for (int i = 0; i < flips && !bytes.empty(); ++i) {
        bytes[below(bytes.size())] ^= static_cast<char>(1u << below(8));
      }
      out.applied.push_back({"wire.bit_flip", std::to_string(flips) + " bits anywhere"});
      break;
    }
    case 1: {
      std::string b = hostile_bytes();
      std::size_t at = below(std::min<std::size_t>(bytes.size(), 2048) + 1);
      bytes.insert(at, b);
      out.applied.push_back({"wire.insert", "at " + std::to_string(at)});
      break;
    }
    case 2: {
      std::size_t keep = below(bytes.size() + 1);
      bytes.resize(keep);
      out.applied.push_back({"wire.truncate", "to " + std::to_string(keep) + " bytes"});
      break;
    }
    default: {  // every CRLF as bare LF (or bare CR)
      bool lf = chance(0.5);
      std::string rewritten;
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
          rewritten += lf ? '\n' : '\r';
          ++i;
        } else {
          rewritten += bytes[i];
        }
      }
      bytes = std::move(rewritten);
      out.applied.push_back({"wire.line_ends", lf ? "bare LF" : "bare CR"});
      break;
    }
  }
}

mutated_request hostile_mutator::mutate(const wire_request& base, const mutation_inputs& inputs) {
  mutated_request out;
  wire_request r = base;
  out.head = r.method == "HEAD";
  if (chance(0.04)) {
    out.applied.push_back({"none", "the valid request"});
    out.bytes = r.bytes();
    return out;
  }
  enum op { json, bytes, type, length, coding, value, shape, auth, line, path, query, extra, wire };
  struct weighted {
    op what;
    int weight;
  };
  // Bodies are where DTOs decode, so a request with one gets body mutations most often.
  static const std::vector<weighted> with_body = {{json, 40},  {bytes, 8},  {type, 5},  {length, 4},
                                                  {coding, 4}, {value, 12}, {shape, 4}, {auth, 5},
                                                  {line, 3},   {path, 4},   {query, 6}, {wire, 5}};
  static const std::vector<weighted> without_body = {
      {type, 3}, {length, 4}, {coding, 6}, {value, 18}, {shape, 7}, {auth, 10},
      {line, 7}, {path, 14},  {query, 20}, {extra, 5},  {wire, 6}};
  const auto& table = r.body.empty() ? without_body : with_body;
  int total = 0;
  for (const auto& w : table) total += w.weight;
  std::vector<op> chosen;
  int count = chance(0.7) ? 1 : 2 + static_cast<int>(below(2));
  for (int i = 0; i < count; ++i) {
    int roll = static_cast<int>(below(static_cast<std::size_t>(total)));
    std::size_t at = 0;
    while (roll >= table[at].weight) roll -= table[at++].weight;
    chosen.push_back(table[at].what);
  }
  // Framing last, so that it frames the body as finally sent; whole-request bytes after all.
  std::stable_partition(chosen.begin(), chosen.end(),
                        [](op o) { return o != length && o != coding && o != wire; });
  bool whole = false;
  for (op o : chosen) {
    switch (o) {
      case json:
        json_body(r, out);
        break;
      case bytes:
        body_bytes(r, out);
        break;
      case type:
        content_type(r, out);
        break;
      case length:
        content_length(r, out);
        break;
      case coding:
        transfer_encoding(r, out);
        break;
      case value:
        header_value(r, out, inputs);
        break;
      case shape:
        header_shape(r, out);
        break;
      case auth:
        authorization(r, out, inputs);
        break;
      case line:
        request_line(r, out);
        break;
      case path:
        path_segment(r, out);
        break;
      case query:
        query_param(r, out);
        break;
      case extra:  // a body where none is expected
        r.body = "{\"unexpected\":" + hostile_json_value() + "}";
        set_header(r.headers, "Content-Type", "application/json");
        out.applied.push_back({"body.unexpected", r.body.substr(0, 60)});
        break;
      case wire:
        whole = true;
        break;
    }
  }
  out.bytes = r.bytes();
  if (whole) whole_bytes(out.bytes, out);
  out.head = out.bytes.rfind("HEAD ", 0) == 0;  // as finally sent, whatever changed it
  if (out.answer_expected && chance(0.2)) {
    // A valid request right behind it on the same connection: unless the server closes after
    // the first answer, the last answer must be this one's (else it lost or misread it).
    out.pipelined_id = "sweep-pipelined-" + std::to_string(rng_() % 1000000000);
    out.bytes +=
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + out.pipelined_id + "\r\n\r\n";
  }
  return out;
}

}  // namespace keel::test
