// Governance catalog queries: facet scores are computed here, from the method facets.
#include "core/catalog/store.hpp"

#include <boost/json/value.hpp>

#include "core/db/pool.hpp"
#include "core/dto/json.hpp"

namespace keel::catalog::store {
namespace {

std::vector<facet_match> matches_of(const boost::json::value& list) {
  std::vector<facet_match> out;
  for (const auto& m : list.as_array()) out.push_back(dto::decode<facet_match>(m));
  return out;
}

// Columns 0-10: slug, title, category, description, featured, sort_order, body, score,
// matched, created_at, updated_at.
governance_template template_from_row(const db::row& r) {
  return {
      .slug = r.get<std::string>(0),
      .title = r.get<std::string>(1),
      .category = r.get<std::string>(2),
      .description = r.get<std::string>(3),
      .featured = r.get<bool>(4),
      .sort_order = r.get<std::int32_t>(5),
      .body = dto::decode<sections_document>(r.get<boost::json::value>(6)),
      .score = r.get<std::int32_t>(7),
      .matched_facets = matches_of(r.get<boost::json::value>(8)),
      .created_at = r.get<timestamp>(9),
      .updated_at = r.get<timestamp>(10),
  };
}

}  // namespace

async<std::vector<governance_template>> list_templates(
    db::pool& db, const std::optional<std::string>& category, const boost::json::value& wanted,
    const std::optional<template_position>& after, int limit) {
  std::optional<int> after_score;
  std::optional<bool> after_featured;
  std::optional<int> after_order;
  std::optional<std::string> after_title;
  std::optional<std::string> after_slug;
  if (after) {
    after_score = after->score;
    after_featured = after->featured;
    after_order = after->sort_order;
    after_title = after->title;
    after_slug = after->slug;
  }
  // The order is written once as an ascending tuple, so that the keyset comparison and the
  // ORDER BY cannot disagree: (-score, NOT featured, sort_order, title, slug).
  auto rows = co_await db.query(R"sql(
      WITH wanted AS (
        SELECT facet_group, facet_value, ord
          FROM jsonb_to_recordset($1::jsonb) AS w (facet_group text, facet_value text, ord integer)
      ), scored AS (
        SELECT t.slug, t.title, t.category, t.description, t.featured, t.sort_order, t.body,
               coalesce(m.score, 0) AS score, coalesce(m.matched, '[]'::jsonb) AS matched,
               t.created_at, t.updated_at
          FROM governance_templates t
          LEFT JOIN LATERAL (
            SELECT sum(f.weight)::integer AS score,
                   jsonb_agg(jsonb_build_object('group', w.facet_group, 'value', w.facet_value)
                             ORDER BY w.ord) AS matched
              FROM wanted w
              JOIN governance_template_facets f
                ON f.template_id = t.id
               AND f.facet_group = w.facet_group
               AND f.facet_value = w.facet_value
          ) m ON true
         WHERE ($2::text IS NULL OR t.category = $2)
      )
      SELECT slug, title, category, description, featured, sort_order, body, score, matched,
             created_at, updated_at
        FROM scored
       WHERE $3::integer IS NULL
          OR (-score, NOT featured, sort_order, title, slug)
             > (-$3::integer, NOT $4::boolean, $5::integer, $6::text, $7::text)
       ORDER BY -score, NOT featured, sort_order, title, slug
       LIMIT $8
  )sql",
                                wanted, category, after_score, after_featured, after_order,
                                after_title, after_slug, limit);
  std::vector<governance_template> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(template_from_row(r));
  co_return out;
}

async<std::optional<template_detail>> find_template(db::pool& db, std::string_view slug) {
  auto rows = co_await db.query(R"sql(
      SELECT t.slug, t.title, t.category, t.description, t.featured, t.sort_order, t.body,
             0, '[]'::jsonb, t.created_at, t.updated_at,
             coalesce((
               SELECT jsonb_agg(jsonb_build_object('section', m.section, 'slug', m.slug)
                                ORDER BY array_position(ARRAY['core_values', 'communication',
                                                              'membership', 'decision_making',
                                                              'conflict_management'], m.section),
                                         tm.position)
                 FROM governance_template_methods tm
                 JOIN catalog_methods m ON m.id = tm.method_id
                WHERE tm.template_id = t.id), '[]'::jsonb)
        FROM governance_templates t
       WHERE t.slug = $1
  )sql",
                                slug);
  if (rows.empty()) co_return std::nullopt;
  auto r = rows[0];
  template_detail detail;
  static_cast<governance_template&>(detail) = template_from_row(r);
  // Named: a range-for over .as_array() of the temporary would outlive it.
  boost::json::value methods = r.get<boost::json::value>(11);
  for (const auto& m : methods.as_array()) {
    detail.methods.push_back(dto::decode<method_ref>(m));
  }
  co_return detail;
}

async<std::vector<catalog_method>> rank_methods(db::pool& db, std::string_view section,
                                                const boost::json::value& wanted) {
  auto rows = co_await db.query(R"sql(
      WITH wanted AS (
        SELECT facet_group, facet_value, ord
          FROM jsonb_to_recordset($2::jsonb) AS w (facet_group text, facet_value text, ord integer)
      )
      SELECT m.slug, m.label, m.description, x.score, coalesce(x.matched, '[]'::jsonb)
        FROM catalog_methods m
        CROSS JOIN LATERAL (
          SELECT count(*)::integer AS score,
                 jsonb_agg(jsonb_build_object('group', w.facet_group, 'value', w.facet_value)
                           ORDER BY w.ord) AS matched
            FROM wanted w
            JOIN catalog_method_facets f
              ON f.method_id = m.id
             AND f.facet_group = w.facet_group
             AND f.facet_value = w.facet_value
        ) x
       WHERE m.section = $1
       ORDER BY x.score DESC, m.sort_order
  )sql",
                                section, wanted);
  std::vector<catalog_method> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    out.push_back({
        .slug = r.get<std::string>(0),
        .label = r.get<std::string>(1),
        .description = r.get<std::string>(2),
        .score = r.get<std::int32_t>(3),
        .matched_facets = matches_of(r.get<boost::json::value>(4)),
    });
  }
  co_return out;
}

}  // namespace keel::catalog::store
