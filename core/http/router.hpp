// Maps method + path to a handler; paths may hold parameters ("/templates/{slug}").
#pragma once
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/guard.hpp"
#include "core/http/request.hpp"
#include "core/http/response.hpp"
#include "core/runtime/async.hpp"

namespace keel::http {

using handler = std::function<async<response>(request&)>;

// What the OpenAPI document says about a route. The typed layer (endpoint.hpp) fills
// the schemas from the route's DTOs, so the document cannot drift from the code.
struct route_doc {
  std::string summary;
  std::string tag;
  boost::json::value query_schema;     // object schema whose properties are query parameters
  boost::json::value request_schema;   // JSON body, or null when the route takes none
  bool request_optional = false;       // the body may be left out (std::optional<Body>)
  boost::json::value response_schema;  // success body, or null (e.g. 204)
  int success_status = 200;
  std::string response_content_type = "application/json";
  std::vector<int> error_statuses;           // documented problem+json answers besides 400/500
  bool hidden = false;                       // left out of the document (e.g. /docs itself)
  http::access access = http::access::none;  // also the operation's `security`
  std::vector<limit_use> limits;             // the rate limits it counts requests against
  // The media types the body is read from (a beacon also sends JSON as text/plain).
  std::vector<std::string> request_content_types = {"application/json"};
};

struct route {
  method verb = method::get;
  std::string path;  // "/api/v1/templates/{slug}"
  handler run;
  route_doc doc;
  // Mistakes found when the route was declared (a limit keyed on a member the body lacks);
  // router::check() reports them with the rest.
  std::vector<std::string> problems;
};

class router {
 public:
  struct match {
    const route* found = nullptr;  // null: see allowed
    std::vector<std::pair<std::string_view, std::string_view>> params;
    // When the path exists but not for this method: the methods that do ("GET, HEAD").
    std::string allowed;
  };

  // Throws std::logic_error for a duplicate method + path.
  void add(route r);
  const std::vector<route>& routes() const { return routes_; }

  // HEAD falls back to the GET route. `path` must outlive the returned params.
  match find(method verb, std::string_view path) const;

  // What enforces the routes' access rules and limits; the program wires it before serving.
  http::guard& guard() { return guard_; }
  const http::guard& guard() const { return guard_; }

  // Every route whose declaration the guard cannot enforce, one line each naming the route
  // and the cause: a limit no feature declared, access or limits with nothing wired to
  // check them. A program exits 2 on any (see api/app.cpp), before it serves a request.
  std::vector<std::string> check() const;

 private:
  std::vector<route> routes_;
  http::guard guard_;
  struct node;
  std::shared_ptr<node> root_;
};

}  // namespace keel::http
