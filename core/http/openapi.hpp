// The OpenAPI 3.1 document of a router, written from the routes' own DTO schemas.
#pragma once
#include <boost/json/value.hpp>
#include <string>

#include "core/http/router.hpp"

namespace keel::http {

struct api_info {
  std::string title;
  std::string version;
  std::string description;
  std::string license;             // info.license.name: the terms the API is offered under
  std::string license_identifier;  // info.license.identifier, an SPDX expression
  // servers[0].url: "/" says the API is at the origin that served the document, which holds
  // on every deployment (behind a proxy, on a laptop) without configuring a public URL.
  std::string server_url = "/";
};

// Every route not marked hidden: {param} path parameters, query parameters from the query
// schema's properties, the JSON request body, the success response and problem+json error
// responses referring to components/schemas/Problem, and the `security` of its access rule
// (`[]` on public routes). Named DTO schemas ($defs in a route's
// schemas) become components/schemas. Throws std::logic_error if two routes define one
// schema name differently.
boost::json::value openapi_document(const router& routes, const api_info& info);

}  // namespace keel::http
