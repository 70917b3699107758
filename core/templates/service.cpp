// Rule template decisions: lookups, paging and the cursor that carries a page's end.
#include "core/templates/service.hpp"

#include "core/dto/cursor.hpp"
#include "core/runtime/error.hpp"
#include "core/templates/store.hpp"

namespace keel::templates {
namespace {

constexpr int default_page_size = 20;

std::string cursor_after(const rule_template& last) {
  return dto::encode_cursor({{"o", last.sort_order}, {"s", last.slug}});
}

store::position position_of(std::string_view cursor) {
  auto fields = dto::decode_cursor(cursor);
  auto* order = fields.if_contains("o");
  auto* slug = fields.if_contains("s");
  if (order == nullptr || !order->is_int64() || slug == nullptr || !slug->is_string()) {
    throw validation_failed({{"cursor", "is not a cursor this list returned"}});
  }
  return {static_cast<int>(order->as_int64()), std::string(slug->as_string())};
}

}  // namespace

async<rule_template> service::get(std::string_view slug) {
  auto found = co_await store::find_by_slug(db_, slug);
  if (!found) throw not_found("No rule template has this slug.", "template_not_found");
  co_return std::move(*found);
}

async<template_page> service::list(const list_query& query) {
  int limit = query.limit.value_or(default_page_size);
  std::optional<store::position> after;
  if (query.cursor) after = position_of(*query.cursor);
  // One row more than the page tells whether another page follows.
  auto rows = co_await store::list(db_, query.category, after, limit + 1);
  template_page page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    page.next_cursor = cursor_after(rows.back());
  }
  page.data = std::move(rows);
  co_return page;
}

}  // namespace keel::templates
