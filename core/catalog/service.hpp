// The governance catalog: curated templates and the method catalog, ranked by facets.
#pragma once
#include <string_view>

#include "core/catalog/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::catalog {

class service {
 public:
  explicit service(db::pool& db) : db_(db) {}

  // One page: featured first, then sort_order, then title; with facets, by score first.
  // next_cursor is null on the last page.
  async<template_page> list_templates(const template_query& query);

  // Throws keel::not_found ("template_not_found") when no template has this slug.
  async<template_detail> get_template(std::string_view slug);

  // Every method of the section, best match first, ties in catalog order.
  async<method_list> rank_methods(const method_query& query);

 private:
  db::pool& db_;
};

}  // namespace keel::catalog
