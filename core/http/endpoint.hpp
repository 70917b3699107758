// Typed routes: the handler's signature names its query, body and result DTOs, and this
// layer decodes, validates, encodes and documents them, so a routes file reads as a table.
//
//   r.add(http::get("/api/v1/templates", {.summary = "List templates", .tag = "templates"},
//                   [&svc](http::input<template_query>& in) -> async<template_page> {
//                     co_return co_await svc.list_templates(in.query);
//                   }));
//
// The doc also declares who may call the route and the rate limits it counts (guard.hpp):
//
//   {.summary = "Change the password", .tag = "auth", .access = http::access::user,
//    .limits = {http::per_ip("password_change_ip"), http::per_user("password_change_user")}}
//
// and the binding enforces them in this order before the handler runs: access (401, 403),
// query and body (400, 413, 415, 422), limits (429). The handler reads the caller in in.who().
//
// The handler takes `http::input<Query, Body>&` (either may be no_query / no_body; a Body of
// std::optional<T> may be left out, for clients that send their data another way) and returns
// async<Out>: a DTO (encoded as JSON with the success status), void (204), http::reply<DTO>
// (a DTO plus a status or headers of its own), a raw http::response, or a raw
// http::typed_response<DTO> documented as the DTO.
#pragma once
#include <boost/mp11/algorithm.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/dto/detail/traits.hpp"
#include "core/dto/json.hpp"
#include "core/dto/query.hpp"
#include "core/dto/schema.hpp"
#include "core/http/guard.hpp"
#include "core/http/router.hpp"
#include "core/runtime/async.hpp"

namespace keel::http {

struct no_query {};
struct no_body {};

// What a typed handler receives. `raw` is the request itself: headers, path parameters,
// the request id; valid only while the handler runs, like the request.
template <class Query = no_query, class Body = no_body>
struct input {
  request& raw;
  Query query;
  Body body;
  std::optional<principal> caller;  // always there on routes declared user or admin

  // The caller of a route declared user or admin (std::logic_error on any other: a bug).
  const principal& who() const {
    if (!caller) throw std::logic_error("in.who() on a route that is not declared user/admin");
    return *caller;
  }

  // A path parameter ("/templates/{id}") as T; a value that does not convert is a 422 naming it.
  template <class T = std::string_view>
  T path(std::string_view name) const {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return raw.path_param(name);
    } else if constexpr (std::is_same_v<T, std::string>) {
      return std::string(raw.path_param(name));
    } else {
      return dto::decode_param<T>(name, raw.path_param(name));
    }
  }
};

// A DTO answer that sets its own status (0 keeps the endpoint's) or headers, e.g.
// 201 with Location, or Set-Cookie.
template <class T>
struct reply {
  T body;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A raw response (already encoded, or a bodiless 304) that the OpenAPI document still shows as
// T: for answers served from a cache or under conditional-request rules.
template <class T>
struct typed_response : response {
  using documented = T;
};

// What the OpenAPI document says beyond what the types already tell it.
// Every member has an initializer so that designated initializers may leave any out
// without -Wmissing-field-initializers.
struct endpoint_doc {
  std::string summary{};
  std::string tag{};
  int status = 0;             // success status; 0 means 200, or 204 when the handler returns void
  std::vector<int> errors{};  // problem answers nothing else tells: 404, 409...
  bool hidden = false;
  http::access access = http::access::none;  // who may call it (401/403 are then implied)
  std::vector<limit_use> limits{};           // limits it counts requests against (429 implied)
};

namespace detail {

// 415 unless the Content-Type is application/json or a +json type, charset allowed.
void require_json_body(const request& req);
// Whether the Content-Type names `type` (lowercase, e.g. "text/plain"), whatever its parameters.
bool has_media_type(const request& req, std::string_view type);
// 422 when anything is decoded, 413 and 415 when a body is, 401 (and 403) for a route that
// takes a caller, 429 for one that counts limits; sorted, without duplicates.
std::vector<int> implied_errors(bool has_query, bool has_body, access rule, bool limited,
                                std::vector<int> declared);

template <class F>
struct handler_traits : handler_traits<decltype(&F::operator())> {};
template <class C, class R, class A>
struct handler_traits<R (C::*)(A) const> {
  using arg = std::remove_cvref_t<A>;
  using result = R;
};
template <class R, class A>
struct handler_traits<R (*)(A)> {
  using arg = std::remove_cvref_t<A>;
  using result = R;
};

template <class T>
struct input_types {
  static_assert(dto::detail::always_false<T>,
                "an endpoint handler takes one parameter: http::input<Query, Body>&");
};
template <class Q, class B>
struct input_types<input<Q, B>> {
  using query = Q;
  using body = B;
};

template <class T>
struct awaited {
  static_assert(dto::detail::always_false<T>, "an endpoint handler returns async<Out>");
};
template <class T, class E>
struct awaited<boost::asio::awaitable<T, E>> {
  using type = T;
};

template <class T>
inline constexpr bool is_reply = false;
template <class T>
inline constexpr bool is_reply<reply<T>> = true;
template <class T>
inline constexpr bool is_typed_response = false;
template <class T>
inline constexpr bool is_typed_response<typed_response<T>> = true;

template <class Q>
Q read_query(const request& req) {
  if constexpr (std::is_same_v<Q, no_query>) {
    return {};
  } else {
    return dto::decode_query<Q>([&req](std::string_view name) { return req.query_param(name); },
                                [&req](std::string_view name) { return req.query_params(name); });
  }
}

template <class T>
inline constexpr bool is_optional_body = false;
template <class T>
inline constexpr bool is_optional_body<std::optional<T>> = true;

template <class B>
B read_body(const request& req) {
  if constexpr (std::is_same_v<B, no_body>) {
    return {};
  } else if constexpr (is_optional_body<B>) {
    // An empty body is "left out"; anything sent must be the JSON the route reads.
    if (req.body().empty()) return std::nullopt;
    require_json_body(req);
    return dto::parse_body<typename B::value_type>(req.body());
  } else {
    require_json_body(req);
    return dto::parse_body<B>(req.body());
  }
}

template <class T>
response encode_reply(reply<T> r, int status) {
  response res = response::json(dto::encode(r.body), r.status ? r.status : status);
  for (auto& [name, value] : r.headers) res.with_header(std::move(name), std::move(value));
  return res;
}

template <class T>
inline constexpr bool is_text =
    std::is_same_v<T, std::string> || std::is_same_v<T, std::optional<std::string>>;

// How the key of a limit keyed on a body member is read from a decoded Body.
template <class B>
using member_reader = std::function<std::optional<std::string>(const B&)>;

template <class T>
member_reader<T> read_member(std::string_view name) {
  member_reader<T> reader;
  if constexpr (dto::detail::is_described_struct<T>) {
    boost::mp11::mp_for_each<dto::detail::members_of<T>>([&](auto D) {
      using member = std::remove_cvref_t<decltype(std::declval<const T&>().*D.pointer)>;
      if constexpr (is_text<member>) {
        if (name == D.name) {
          reader = [p = D.pointer](const T& body) -> std::optional<std::string> { return body.*p; };
        }
      }
    });
  }
  return reader;
}

// A limit's key as the request states it; nullopt when it does not (that limit is not counted).
template <class Q, class B>
using key_reader = std::function<std::optional<std::string>(const input<Q, B>&)>;

// Builds the reader of `use`'s key, or says why the route cannot have it.
template <class Q, class B>
key_reader<Q, B> key_of(const limit_use& use, access rule, std::vector<std::string>& problems) {
  auto normalized = [normalize = use.normalize](std::optional<std::string> key) {
    if (key && normalize) key = normalize(*key);
    return key;
  };
  switch (use.by) {
    case limit_key::ip:
      return [](const input<Q, B>& in) {
        return std::optional<std::string>(std::string(in.raw.client_ip()));
      };
    case limit_key::user:
      if (rule == access::none) {
        problems.push_back("the limit " + use.limit +
                           " is per user, but the route takes no caller");
      }
      return [](const input<Q, B>& in) -> std::optional<std::string> {
        if (!in.caller) return std::nullopt;
        return in.caller->user_id.str();
      };
    case limit_key::query:
      return [normalized, name = use.field](const input<Q, B>& in) {
        return normalized(in.raw.query_param(name));
      };
    case limit_key::body:
      break;
  }
  if constexpr (is_optional_body<B>) {
    auto reader = read_member<typename B::value_type>(use.field);
    if (reader) {
      return [normalized, reader](const input<Q, B>& in) -> std::optional<std::string> {
        if (!in.body) return std::nullopt;
        return normalized(reader(*in.body));
      };
    }
  } else if constexpr (!std::is_same_v<B, no_body>) {
    auto reader = read_member<B>(use.field);
    if (reader) {
      return [normalized, reader](const input<Q, B>& in) { return normalized(reader(in.body)); };
    }
  }
  problems.push_back("the limit " + use.limit + " is keyed on the body member \"" + use.field +
                     "\", which the body does not have as text");
  return [](const input<Q, B>&) { return std::optional<std::string>(); };
}

// Everything a route's coroutine needs, owned together so the frame holds one shared_ptr.
template <class Q, class B, class Fn>
struct bound {
  Fn fn;
  int status = 200;
  access rule = access::none;
  std::vector<limit_use> limits;
  std::vector<key_reader<Q, B>> keys;  // keys[i] reads limits[i]'s key
};

// A free coroutine holding the handler by shared_ptr: the frame owns everything it uses,
// so nothing dangles however the route table is copied or moved.
template <class Q, class B, class Out, class Fn>
async<response> run_endpoint(std::shared_ptr<const bound<Q, B, Fn>> b, request& req) {
  std::optional<principal> caller;
  if (b->rule != access::none) caller = co_await admit(req, b->rule);
  input<Q, B> in{req, read_query<Q>(req), read_body<B>(req), std::move(caller)};
  if (!b->limits.empty()) {
    std::vector<std::optional<std::string>> keys;
    keys.reserve(b->keys.size());
    for (const auto& key : b->keys) keys.push_back(key(in));
    co_await count(req, b->limits, keys);
  }
  const Fn* fn = &b->fn;
  int status = b->status;
  if constexpr (std::is_void_v<Out>) {
    co_await (*fn)(in);
    if (status == 204) co_return response::no_content();
    response accepted;  // e.g. 202: a status with nothing to say
    accepted.status = status;
    accepted.content_type.clear();
    co_return accepted;
  } else if constexpr (std::is_same_v<Out, response>) {
    co_return co_await (*fn)(in);
  } else if constexpr (is_typed_response<Out>) {
    response out = co_await (*fn)(in);
    co_return out;
  } else if constexpr (is_reply<Out>) {
    co_return encode_reply(co_await (*fn)(in), status);
  } else {
    co_return response::json(dto::encode(co_await (*fn)(in)), status);
  }
}

template <class Q, class B, class Out>
route_doc document(endpoint_doc doc) {
  constexpr bool has_query = !std::is_same_v<Q, no_query>;
  constexpr bool has_body = !std::is_same_v<B, no_body>;
  route_doc d;
  d.summary = std::move(doc.summary);
  d.tag = std::move(doc.tag);
  d.hidden = doc.hidden;
  d.access = doc.access;
  d.limits = doc.limits;
  if constexpr (has_query) d.query_schema = dto::inline_schema<Q>();
  if constexpr (is_optional_body<B>) {
    d.request_schema = dto::standalone_schema<typename B::value_type>();
    d.request_optional = true;
  } else if constexpr (has_body) {
    d.request_schema = dto::standalone_schema<B>();
  }
  if constexpr (is_reply<Out>) {
    d.response_schema = dto::standalone_schema<decltype(Out::body)>();
  } else if constexpr (is_typed_response<Out>) {
    d.response_schema = dto::standalone_schema<typename Out::documented>();
  } else if constexpr (!std::is_void_v<Out> && !std::is_same_v<Out, response>) {
    d.response_schema = dto::standalone_schema<Out>();
  }
  d.success_status = doc.status ? doc.status : std::is_void_v<Out> ? 204 : 200;
  d.error_statuses =
      implied_errors(has_query, has_body, doc.access, !doc.limits.empty(), std::move(doc.errors));
  return d;
}

}  // namespace detail

template <class Fn>
route endpoint(method verb, std::string path, endpoint_doc doc, Fn fn) {
  using traits = detail::handler_traits<Fn>;
  using query = typename detail::input_types<typename traits::arg>::query;
  using body = typename detail::input_types<typename traits::arg>::body;
  using out = typename detail::awaited<typename traits::result>::type;
  route r;
  r.verb = verb;
  r.path = std::move(path);
  r.doc = detail::document<query, body, out>(std::move(doc));
  auto b = std::make_shared<detail::bound<query, body, Fn>>(
      detail::bound<query, body, Fn>{.fn = std::move(fn),
                                     .status = r.doc.success_status,
                                     .rule = r.doc.access,
                                     .limits = r.doc.limits,
                                     .keys = {}});
  for (const auto& use : b->limits) {
    b->keys.push_back(detail::key_of<query, body>(use, b->rule, r.problems));
  }
  r.run = [b = std::shared_ptr<const detail::bound<query, body, Fn>>(std::move(b))](request& req) {
    return detail::run_endpoint<query, body, out>(b, req);
  };
  return r;
}

template <class Fn>
route get(std::string path, endpoint_doc doc, Fn fn) {
  return endpoint(method::get, std::move(path), std::move(doc), std::move(fn));
}
template <class Fn>
route post(std::string path, endpoint_doc doc, Fn fn) {
  return endpoint(method::post, std::move(path), std::move(doc), std::move(fn));
}
template <class Fn>
route put(std::string path, endpoint_doc doc, Fn fn) {
  return endpoint(method::put, std::move(path), std::move(doc), std::move(fn));
}
template <class Fn>
route patch(std::string path, endpoint_doc doc, Fn fn) {
  return endpoint(method::patch, std::move(path), std::move(doc), std::move(fn));
}
template <class Fn>
route delete_(std::string path, endpoint_doc doc, Fn fn) {
  return endpoint(method::delete_, std::move(path), std::move(doc), std::move(fn));
}

}  // namespace keel::http
