// Request accessors: method names, the path/query split, query and path parameters.
#include "core/http/request.hpp"

#include "core/runtime/error.hpp"
#include "core/runtime/hex.hpp"
#include "core/runtime/text.hpp"

namespace keel::http {
namespace {

using hex::digit_value;

// application/x-www-form-urlencoded decoding; a broken escape is kept as sent rather than
// rejected, so a stray '%' in a search box does not turn into an error.
std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && digit_value(in[i + 1]) >= 0 &&
               digit_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(digit_value(in[i + 1]) * 16 + digit_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string_view method_name(method m) {
  switch (m) {
    case method::get:
      return "GET";
    case method::head:
      return "HEAD";
    case method::post:
      return "POST";
    case method::put:
      return "PUT";
    case method::patch:
      return "PATCH";
    case method::delete_:
      return "DELETE";
    case method::options:
      return "OPTIONS";
    case method::other:
      return "OTHER";
  }
  return "OTHER";
}

method parse_method(std::string_view name) {
  // Methods are case-sensitive (RFC 9110 9.1): "get" is not GET.
  switch (name.size()) {
    case 3:
      if (name == "GET") return method::get;
      if (name == "PUT") return method::put;
      break;
    case 4:
      if (name == "HEAD") return method::head;
      if (name == "POST") return method::post;
      break;
    case 5:
      if (name == "PATCH") return method::patch;
      break;
    case 6:
      if (name == "DELETE") return method::delete_;
      break;
    case 7:
      if (name == "OPTIONS") return method::options;
      break;
    default:
      break;
  }
  return method::other;
}

request::request(method verb, std::string_view target, std::string_view body, const void* message,
                 header_lookup lookup)
    : verb_(verb), target_(target), body_(body), message_(message), lookup_(lookup) {
  auto q = target.find('?');
  if (q == std::string_view::npos) {
    path_ = target;
  } else {
    path_ = target.substr(0, q);
    query_ = target.substr(q + 1);
  }
  // A fragment is never sent by a conforming client; drop one anyway so it cannot leak
  // into a parameter value.
  if (auto h = query_.find('#'); h != std::string_view::npos) query_ = query_.substr(0, h);
}

namespace {

// Calls f(raw_key, raw_value) for each key=value pair of a query string, still encoded.
template <class F>
void each_query_pair(std::string_view query, F&& f) {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!f(pair.substr(0, eq), raw_value)) return;
  }
}

bool key_is(std::string_view raw_key, std::string_view name) {
  // Compare without decoding when the key has nothing to decode (the common case).
  bool plain = raw_key.find_first_of("%+") == std::string_view::npos;
  return plain ? raw_key == name : percent_decode(raw_key) == name;
}

}  // namespace

std::optional<std::string> request::query_param(std::string_view name) const {
  std::optional<std::string> found;
  each_query_pair(query_, [&](std::string_view key, std::string_view value) {
    if (key_is(key, name)) found = percent_decode(value);
    return !found;
  });
  return found;
}

std::vector<std::string> request::query_params(std::string_view name) const {
  std::vector<std::string> found;
  each_query_pair(query_, [&](std::string_view key, std::string_view value) {
    if (key_is(key, name)) found.push_back(percent_decode(value));
    return true;
  });
  return found;
}

std::vector<std::string> request::query_names() const {
  std::vector<std::string> names;
  each_query_pair(query_, [&](std::string_view key, std::string_view) {
    names.push_back(percent_decode(key));
    return true;
  });
  return names;
}

std::string_view request::path_param(std::string_view name) const {
  for (const auto& [key, value] : path_params_) {
    if (key != name) continue;
    if (!text::is_clean(value)) {
      throw validation_failed({{std::string(name), std::string(text::unclean_message)}});
    }
    return value;
  }
  return {};
}

}  // namespace keel::http
