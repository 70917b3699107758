// Rule templates: reading the curated catalogue.
#pragma once
#include <string_view>

#include "core/runtime/async.hpp"
#include "core/templates/dto.hpp"

namespace keel::db {
class pool;
}

namespace keel::templates {

class service {
 public:
  explicit service(db::pool& db) : db_(db) {}

  // Throws keel::not_found when no template has this slug.
  async<rule_template> get(std::string_view slug);

  // One page in catalogue order; next_cursor is null on the last page.
  async<template_page> list(const list_query& query);

  // The DTO rules check each field; this checks what spans fields. Throws
  // keel::validation_failed listing every problem; returns a valid report otherwise.
  validation_report validate(const rule_document& document) const;

 private:
  db::pool& db_;
};

}  // namespace keel::templates
