// Governance catalog routes (templates and methods): path, method, DTOs and the service call.
// Their answers are public and change only with a migration: they are served from the cache
// with an ETag, and a client may keep them a minute.
#include <stdexcept>
#include <string>

#include <boost/json/serialize.hpp>

#include "api/routes/routes.hpp"
#include "core/cache/cache.hpp"
#include "core/catalog/service.hpp"
#include "core/http/conditional.hpp"
#include "core/http/endpoint.hpp"

namespace keel::api {
namespace {

// A misspelt facet group (?sizes=...) would otherwise be ignored and rank nothing.
constexpr std::string_view unknown_param =
    "is not a parameter of this route (facet groups: size, org_type, scale, maturity)";

constexpr const char* public_minute = "public, max-age=60";

// The cache key of a decoded query: its canonical JSON, so ?a&b and ?b&a share one entry.
template <class Q>
std::string key_of(std::string_view kind, const Q& query) {
  return std::string(kind) + ":" + boost::json::serialize(dto::encode(query));
}

// The encoded answer from the cache (or `load`), tagged by its content. The cache holds
// "<etag> <body>": the tag is hashed once per load, not on every hit (hashing each hit was
// 45% of a cached answer's CPU).
template <class T>
async<http::typed_response<T>> cached_answer(const http::request& req, cache::cache& cached,
                                             const std::string& key,
                                             const cache::cache::loader& load) {
  cache::cache::loader tagged_load = [&]() -> async<std::string> {
    std::string body = co_await load();
    co_return http::etag_of_content(body) + " " + body;
  };
  // "tagged:" keeps these entries apart from the bare bodies that earlier releases cached.
  std::string body = co_await cached.get_or_load("tagged:" + key, tagged_load);
  auto space = body.find(' ');
  if (space == std::string::npos) throw std::runtime_error("a cached answer without its ETag");
  std::string etag = body.substr(0, space);
  body.erase(0, space + 1);
  http::typed_response<T> out;
  static_cast<http::response&>(out) =
      http::conditional_json(req, std::move(body), etag, public_minute);
  co_return out;
}

}  // namespace

void add_template_routes(http::router& router, catalog::service& svc, cache::cache& cached) {
  using namespace keel::catalog;

  router.add(http::get(
      "/api/v1/templates",
      {.summary = "List governance templates", .tag = "templates", .errors = {304}},
      [&svc,
       &cached](http::input<template_query>& in) -> async<http::typed_response<template_page>> {
        dto::reject_unknown_params<template_query>(in.raw.query_names(), unknown_param);
        std::string key = key_of("templates", in.query);
        cache::cache::loader load = [&]() -> async<std::string> {
          co_return boost::json::serialize(dto::encode(co_await svc.list_templates(in.query)));
        };
        co_return co_await cached_answer<template_page>(in.raw, cached, key, load);
      }));

  router.add(
      http::get("/api/v1/templates/{slug}",
                {.summary = "Get one governance template and its methods",
                 .tag = "templates",
                 .errors = {304, 404}},
                [&svc, &cached](http::input<>& in) -> async<http::typed_response<template_detail>> {
                  std::string slug = in.path<std::string>("slug");
                  std::string key = "template:" + slug;
                  cache::cache::loader load = [&]() -> async<std::string> {
                    co_return boost::json::serialize(dto::encode(co_await svc.get_template(slug)));
                  };
                  co_return co_await cached_answer<template_detail>(in.raw, cached, key, load);
                }));

  router.add(http::get(
      "/api/v1/methods",
      {.summary = "Rank one section's methods by facets", .tag = "templates", .errors = {304}},
      [&svc, &cached](http::input<method_query>& in) -> async<http::typed_response<method_list>> {
        dto::reject_unknown_params<method_query>(in.raw.query_names(), unknown_param);
        std::string key = key_of("methods", in.query);
        cache::cache::loader load = [&]() -> async<std::string> {
          co_return boost::json::serialize(dto::encode(co_await svc.rank_methods(in.query)));
        };
        co_return co_await cached_answer<method_list>(in.raw, cached, key, load);
      }));
}

}  // namespace keel::api
