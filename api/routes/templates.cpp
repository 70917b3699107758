// Governance catalog routes (templates and methods): path, method, DTOs and the service call.
#include "api/routes/routes.hpp"
#include "core/catalog/service.hpp"
#include "core/http/endpoint.hpp"

namespace keel::api {
namespace {

// A misspelt facet group (?sizes=...) would otherwise be ignored and rank nothing.
constexpr std::string_view unknown_param =
    "is not a parameter of this route (facet groups: size, org_type, scale, maturity)";

}  // namespace

void add_template_routes(http::router& router, catalog::service& svc) {
  using namespace keel::catalog;

  router.add(
      http::get("/api/v1/templates", {.summary = "List governance templates", .tag = "templates"},
                [&svc](http::input<template_query>& in) -> async<template_page> {
                  dto::reject_unknown_params<template_query>(in.raw.query_names(), unknown_param);
                  co_return co_await svc.list_templates(in.query);
                }));

  router.add(http::get("/api/v1/templates/{slug}",
                       {.summary = "Get one governance template and its methods",
                        .tag = "templates",
                        .errors = {404}},
                       [&svc](http::input<>& in) -> async<template_detail> {
                         co_return co_await svc.get_template(in.path("slug"));
                       }));

  router.add(http::get(
      "/api/v1/methods", {.summary = "Rank one section's methods by facets", .tag = "templates"},
      [&svc](http::input<method_query>& in) -> async<method_list> {
        dto::reject_unknown_params<method_query>(in.raw.query_names(), unknown_param);
        co_return co_await svc.rank_methods(in.query);
      }));
}

}  // namespace keel::api
