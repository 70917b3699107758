// Upload job kinds: uploads.variants makes the WebP variants of an image upload, storage.delete
// removes an upload's objects. Both are idempotent: a rerun rewrites the same keys and rows.
#include <fmt/format.h>

#include <boost/json/value.hpp>
#include <functional>

#include "core/db/pool.hpp"
#include "core/images/variants.hpp"
#include "core/jobs/registry.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/log.hpp"
#include "core/storage/s3_client.hpp"
#include "core/uploads/purposes.hpp"
#include "core/uploads/store.hpp"
#include "worker/kinds.hpp"

namespace keel::worker {
namespace {

uuid upload_id_of(const boost::json::value& payload) {
  const auto* object = payload.if_object();
  const auto* id = object ? object->if_contains("upload_id") : nullptr;
  auto parsed = id && id->is_string() ? uuid::parse(id->as_string()) : std::nullopt;
  if (!parsed) throw jobs::permanent_failure("payload has no valid upload_id");
  return *parsed;
}

async<void> make_variants(db::pool& db, storage::s3_client& s3, runtime::blocking_pool& cpu,
                          const uuid& id) {
  auto upload = co_await uploads::store::find(db, id);
  // Deleted or never completed meanwhile: nothing to make.
  if (!upload || upload->status != "ready") co_return;
  auto original =
      co_await s3.get_range(upload->object_key, 0, static_cast<std::uint64_t>(upload->byte_length));
  if (!original) throw jobs::permanent_failure("the original object is gone");

  images::variant_request request;
  std::vector<images::variant> made;
  std::string bad;
  // libvips decodes and encodes on the CPU pool, never on the worker's event loop.
  std::function<void()> work = [&] {
    try {
      made = images::make_variants(*original, request);
    } catch (const images::bad_image& e) {
      bad = e.what();
    }
  };
  co_await cpu.run(work);
  if (!bad.empty()) {
    co_await uploads::store::set_variants_error(db, id, bad);
    throw jobs::permanent_failure(fmt::format("no variants for upload {}: {}", id.str(), bad));
  }
  std::string webp_type = "image/webp";
  for (const auto& v : made) {
    std::string key = uploads::variant_key(id, v.size);
    co_await s3.put(key, v.webp, webp_type);
    uploads::store::stored_variant row{id,      v.size,   key,
                                       v.width, v.height, static_cast<std::int64_t>(v.webp.size())};
    co_await uploads::store::save_variant(db, row);
  }
}

async<void> delete_objects(db::pool& db, storage::s3_client& s3, const uuid& id) {
  auto upload = co_await uploads::store::find(db, id);
  if (!upload) co_return;
  std::vector<uuid> ids = {id};
  auto variants = co_await uploads::store::variants_of(db, ids);
  for (const auto& v : variants) co_await s3.remove(v.object_key);
  co_await s3.remove(upload->object_key);
}

}  // namespace

void add_uploads_kinds(jobs::registry& kinds, db::pool& db, storage::s3_client* s3,
                       runtime::blocking_pool& cpu) {
  // Without S3_BUCKET the kinds still exist, and fail (to be retried later, by a worker that
  // has storage) rather than being discarded as unknown.
  auto storage = [s3]() -> storage::s3_client& {
    if (s3 == nullptr) throw std::runtime_error("storage is not configured on this worker");
    return *s3;
  };
  kinds.add(
      "uploads.variants",
      [&db, storage, &cpu](const boost::json::value& payload, jobs::job_context&) -> async<void> {
        auto id = upload_id_of(payload);
        co_await make_variants(db, storage(), cpu, id);
      });
  kinds.add("storage.delete",
            [&db, storage](const boost::json::value& payload, jobs::job_context&) -> async<void> {
              auto id = upload_id_of(payload);
              co_await delete_objects(db, storage(), id);
            });
}

}  // namespace keel::worker
