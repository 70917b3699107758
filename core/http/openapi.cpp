// Writing the OpenAPI document: route docs in, one JSON value out.
#include "core/http/openapi.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/http/problem.hpp"

namespace keel::http {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::string_view defs_prefix = "#/$defs/";
constexpr std::string_view components_prefix = "#/components/schemas/";

// reason_phrase knows the error statuses; the success ones are added here.
std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    default:
      return reason_phrase(status);
  }
}

object problem_schema() {
  object field_error{
      {"type", "object"},
      {"required", array{"field", "message"}},
      {"properties",
       object{{"field", object{{"type", "string"}, {"description", "e.g. items[2].name"}}},
              {"message", object{{"type", "string"}}}}}};
  return object{
      {"type", "object"},
      {"description", "An RFC 9457 problem."},
      {"required", array{"type", "title", "status", "code"}},
      {"properties",
       object{{"type", object{{"type", "string"}, {"format", "uri"}}},
              {"title", object{{"type", "string"}}},
              {"status", object{{"type", "integer"}}},
              {"detail", object{{"type", "string"}}},
              {"code", object{{"type", "string"}, {"description", "Stable, machine-readable"}}},
              {"request_id", object{{"type", "string"}}},
              {"errors", object{{"type", "array"}, {"items", std::move(field_error)}}}}}};
}

// Route schemas stand alone ("#/$defs/Name"); in the document they share components.
void rewrite_refs(value& v) {
  if (auto* o = v.if_object()) {
    if (auto* ref = o->if_contains("$ref"); ref && ref->is_string()) {
      std::string_view text = ref->get_string();
      if (text.starts_with(defs_prefix)) {
        *ref = std::string(components_prefix) + std::string(text.substr(defs_prefix.size()));
      }
    }
    for (auto& [key, child] : *o) rewrite_refs(child);
  } else if (auto* a = v.if_array()) {
    for (auto& child : *a) rewrite_refs(child);
  }
}

value hoist(value schema, object& components) {
  if (schema.is_null()) return schema;
  if (auto* o = schema.if_object(); o && o->contains("$defs")) {
    object defs = std::move(o->at("$defs").as_object());
    o->erase("$defs");
    for (auto& [name, def] : defs) {
      rewrite_refs(def);
      if (auto* existing = components.if_contains(name)) {
        if (*existing != def) {
          throw std::logic_error("two routes define the schema \"" + std::string(name) +
                                 "\" differently");
        }
      } else {
        components.emplace(name, std::move(def));
      }
    }
  }
  rewrite_refs(schema);
  return schema;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "GET /api/v1/templates/{slug}" -> "get_api_v1_templates_slug": stable for client generators.
std::string operation_id(std::string_view verb, std::string_view path) {
  std::string id = lower(verb);
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (id.back() != '_') {
      id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

// A query parameter is absent rather than null, so an optional member's "null" is dropped.
value not_null(value schema) {
  auto* o = schema.if_object();
  if (!o) return schema;
  if (auto* type = o->if_contains("type"); type && type->is_array()) {
    array& types = type->as_array();
    types.erase(std::remove(types.begin(), types.end(), value("null")), types.end());
    if (types.size() == 1) *type = value(types.front());
  }
  if (auto* choices = o->if_contains("enum"); choices && choices->is_array()) {
    array& list = choices->as_array();
    list.erase(std::remove(list.begin(), list.end(), value(nullptr)), list.end());
  }
  return schema;
}

array parameters(const route& r, object& components) {
  array out;
  std::string_view path = r.path;
  for (std::size_t open = path.find('{'); open != std::string_view::npos;
       open = path.find('{', open + 1)) {
    std::size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    out.push_back(object{{"name", path.substr(open + 1, close - open - 1)},
                         {"in", "path"},
                         {"required", true},
                         {"schema", object{{"type", "string"}}}});
  }
  value query = hoist(r.doc.query_schema, components);
  if (auto* q = query.if_object()) {
    const array* required = nullptr;
    if (auto* list = q->if_contains("required")) required = list->if_array();
    if (auto* properties = q->if_contains("properties"); properties && properties->is_object()) {
      for (auto& [name, schema] : properties->as_object()) {
        object parameter{{"name", name}, {"in", "query"}};
        parameter["required"] = required && std::find(required->begin(), required->end(),
                                                      value(name)) != required->end();
        value property = schema;
        if (auto* p = property.if_object(); p && p->contains("description")) {
          parameter["description"] = p->at("description");
          p->erase("description");
        }
        parameter["schema"] = not_null(std::move(property));
        out.push_back(std::move(parameter));
      }
    }
  }
  return out;
}

object problem_answer(int status) {
  object answer{
      {"description", reason_phrase(status)},
      {"content", object{{problem_content_type,
                          object{{"schema", object{{"$ref", "#/components/schemas/Problem"}}}}}}}};
  if (status == 429) {
    answer["headers"] =
        object{{"Retry-After", object{{"description", "Seconds to wait before retrying"},
                                      {"schema", object{{"type", "integer"}}}}}};
  }
  return answer;
}

object responses(const route& r, object& components) {
  object out;
  const route_doc& d = r.doc;
  object success{{"description", status_text(d.success_status)}};
  if (!d.response_schema.is_null()) {
    success["content"] =
        object{{d.response_content_type, object{{"schema", hoist(d.response_schema, components)}}}};
  } else if (d.success_status != 204 && !d.response_content_type.empty() &&
             d.response_content_type != "application/json") {
    // A raw text answer (metrics, docs): its shape is not a DTO.
    success["content"] =
        object{{d.response_content_type, object{{"schema", object{{"type", "string"}}}}}};
  }
  out[std::to_string(d.success_status)] = std::move(success);
  std::vector<int> errors = d.error_statuses;
  errors.push_back(400);
  errors.push_back(500);
  std::sort(errors.begin(), errors.end());
  for (int status : errors) out[std::to_string(status)] = problem_answer(status);
  return out;
}

// Said on every operation, `[]` included: a reader (or a client generator) never has to guess
// whether a route left it out on purpose.
array security(access rule) {
  object bearer{{"bearer", array{}}};
  switch (rule) {
    case access::none:
      return array{};
    case access::user:
    case access::admin:
      return array{std::move(bearer)};
    case access::user_if_sent:
      return array{std::move(bearer), object{}};  // the empty requirement: no token at all
  }
  return array{};
}

object operation(const route& r, object& components) {
  std::string verb(method_name(r.verb));
  object op;
  if (!r.doc.summary.empty()) op["summary"] = r.doc.summary;
  if (!r.doc.tag.empty()) op["tags"] = array{value(r.doc.tag)};
  op["operationId"] = operation_id(verb, r.path);
  array params = parameters(r, components);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!r.doc.request_schema.is_null()) {
    value schema = hoist(r.doc.request_schema, components);
    object content;
    for (const auto& type : r.doc.request_content_types) content[type] = object{{"schema", schema}};
    op["requestBody"] =
        object{{"required", !r.doc.request_optional}, {"content", std::move(content)}};
  }
  op["responses"] = responses(r, components);
  op["security"] = security(r.doc.access);
  return op;
}

}  // namespace

value openapi_document(const router& routes, const api_info& info) {
  object components{{"Problem", problem_schema()}};
  object paths;
  for (const route& r : routes.routes()) {
    if (r.doc.hidden || r.verb == method::other) continue;
    value& item = paths[r.path];
    if (!item.is_object()) item.emplace_object();
    item.as_object()[lower(method_name(r.verb))] = operation(r, components);
  }
  object doc_info{{"title", info.title}, {"version", info.version}};
  if (!info.description.empty()) doc_info["description"] = info.description;
  if (!info.license.empty()) {
    doc_info["license"] = object{{"name", info.license}, {"identifier", info.license_identifier}};
  }
  // Routes declared user or admin take an access token (auth: EdDSA JWT, keys at
  // /.well-known/jwks.json).
  object bearer{{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}};
  return object{{"openapi", "3.1.0"},
                {"info", std::move(doc_info)},
                {"servers", array{object{{"url", info.server_url}}}},
                {"paths", std::move(paths)},
                {"components", object{{"schemas", std::move(components)},
                                      {"securitySchemes", object{{"bearer", std::move(bearer)}}}}}};
}

}  // namespace keel::http
