// Rule template decisions: lookups, paging and the cursor that carries a page's end.
#include "core/templates/service.hpp"

#include "core/dto/cursor.hpp"
#include "core/runtime/error.hpp"
#include "core/templates/store.hpp"

namespace keel::templates {

async<rule_template> service::get(std::string_view slug) {
  auto found = co_await store::find_by_slug(db_, slug);
  if (!found) throw not_found("No rule template has this slug.", "template_not_found");
  co_return std::move(*found);
}

async<template_page> service::list(const list_query& query) {
  auto at = dto::read_page<store::position>(query.limit, query.cursor);
  auto rows = co_await store::list(db_, query.category, at.after, at.fetch());
  co_return dto::make_page(std::move(rows), at, [](const rule_template& t) {
    return store::position{t.sort_order, t.slug};
  });
}

validation_report service::validate(const rule_document& document) const {
  std::vector<field_error> problems;
  if (document.trigger.event.has_value() == document.trigger.schedule.has_value()) {
    problems.push_back({"trigger", "must have exactly one of event or schedule"});
  }
  for (std::size_t i = 0; i < document.conditions.size(); ++i) {
    const auto& c = document.conditions[i];
    if (c.op == "in" && !c.value.is_array()) {
      problems.push_back(
          {"conditions[" + std::to_string(i) + "].value", "must be a list for op in"});
    }
  }
  if (!problems.empty()) throw validation_failed(std::move(problems));
  return {.valid = true};
}

}  // namespace keel::templates
