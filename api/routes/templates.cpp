// Rule template routes: path, method, DTOs and the service call, nothing more.
#include "api/routes/routes.hpp"
#include "core/http/endpoint.hpp"
#include "core/templates/service.hpp"

namespace keel::api {

void add_template_routes(http::router& router, templates::service& svc) {
  using namespace keel::templates;

  router.add(http::get("/api/v1/templates", {.summary = "List rule templates", .tag = "templates"},
                       [&svc](http::input<list_query>& in) -> async<template_page> {
                         co_return co_await svc.list(in.query);
                       }));

  router.add(http::get("/api/v1/templates/{slug}",
                       {.summary = "Get one rule template", .tag = "templates", .errors = {404}},
                       [&svc](http::input<>& in) -> async<rule_template> {
                         co_return co_await svc.get(in.path("slug"));
                       }));

  router.add(http::post(
      "/api/v1/rules/validate", {.summary = "Check a rule document", .tag = "templates"},
      [&svc](http::input<http::no_query, rule_document>& in) -> async<validation_report> {
        co_return svc.validate(in.body);
      }));
}

}  // namespace keel::api
