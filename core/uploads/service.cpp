// Upload decisions (see service.hpp); the SQL is in store.cpp, the rules in purposes.cpp.
#include "core/uploads/service.hpp"

#include <fmt/format.h>

#include <boost/json/value.hpp>

#include "core/audit/log.hpp"
#include "core/db/pool.hpp"
#include "core/dto/cursor.hpp"
#include "core/jobs/service.hpp"
#include "core/runtime/error.hpp"
#include "core/storage/bucket.hpp"
#include "core/storage/s3_client.hpp"
#include "core/uploads/purposes.hpp"
#include "core/uploads/store.hpp"

namespace keel::uploads {
namespace {

// How long a presigned GET in an answer stays valid: long enough to render a page, short enough
// that a leaked link soon stops working.
constexpr std::chrono::seconds read_url_ttl{15 * 60};

storage::sys_seconds now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

not_found no_such_upload() {
  return not_found("There is no such upload.", "upload_not_found");
}

error mismatch(std::string code, std::string detail) {
  return error(error_kind::validation_failed, std::move(code), std::move(detail));
}

// Where a client reads `key`: the CDN for public purposes, else a short-lived presigned GET.
std::string read_url(const storage::bucket& bucket, const purpose& p, const std::string& key) {
  if (p.is_public) {
    auto url = bucket.public_url(key);
    if (!url.empty()) return url;
  }
  return bucket.presign_get(key, now_seconds(), read_url_ttl);
}

upload_view view_of(const store::stored_upload& u, const std::vector<store::stored_variant>& all,
                    const storage::bucket* bucket) {
  upload_view v{.id = u.id,
                .purpose = u.purpose,
                .content_type = u.content_type,
                .byte_length = u.byte_length,
                .status = u.status,
                .variants_error = u.variants_error,
                .created_at = u.created_at};
  const purpose* p = find_purpose(u.purpose);
  if (u.status != "ready" || bucket == nullptr || p == nullptr) return v;
  v.url = read_url(*bucket, *p, u.object_key);
  for (const auto& variant : all) {
    if (variant.upload_id != u.id) continue;
    v.variants.push_back(
        {variant.size, variant.width, variant.height, read_url(*bucket, *p, variant.object_key)});
  }
  return v;
}

boost::json::value upload_payload(const uuid& id) {
  return {{"upload_id", id.str()}};
}

// Queues the removal of an upload's objects (original and variants) in `tx`.
async<void> queue_object_deletion(db::transaction& tx, const uuid& id) {
  auto payload = upload_payload(id);
  jobs::enqueue_options options{.unique_key = "storage.delete:" + id.str()};
  co_await jobs::enqueue(tx, "storage.delete", payload, options);
}

}  // namespace

service::service(db::pool& db, const storage::bucket* bucket, storage::s3_client* s3,
                 const settings& limits)
    : db_(db), bucket_(bucket), s3_(s3), quota_(limits) {}

void service::require_storage() const {
  if (bucket_ == nullptr || s3_ == nullptr) {
    throw unavailable("File storage is not configured on this server.", "storage_not_configured");
  }
}

async<created_upload> service::create(const uuid& owner, const create_body& body,
                                      const audit::origin& from) {
  require_storage();
  const purpose* p = find_purpose(body.purpose);
  // The vector is named: GCC 12 finds `{{...}}` of two literals ambiguous with the copy
  // constructor.
  if (p == nullptr) {
    throw validation_failed(std::vector<field_error>{{"purpose", "is not a known purpose"}});
  }
  bool type_ok = std::find(p->content_types.begin(), p->content_types.end(), body.content_type) !=
                 p->content_types.end();
  if (!type_ok) {
    throw validation_failed(
        {{"content_type",
          fmt::format("must be one of {} for {}", fmt::join(p->content_types, ", "), p->name)}});
  }
  if (static_cast<std::uint64_t>(body.byte_length) > p->max_bytes) {
    throw validation_failed(
        {{"byte_length", fmt::format("must be at most {} bytes for {}", p->max_bytes, p->name)}});
  }

  auto tx = co_await db_.begin();
  auto used = co_await store::usage_today(tx, owner);
  if (used.count + 1 > quota_.daily_count ||
      used.bytes + body.byte_length > static_cast<std::int64_t>(quota_.daily_bytes)) {
    throw too_many_requests(3600, "The daily upload quota is used up.", "upload_quota_exceeded");
  }
  store::new_upload row{owner,
                        body.purpose,
                        body.content_type,
                        body.byte_length,
                        body.file_name,
                        safe_file_name(body.file_name)};
  auto stored = co_await store::insert(tx, row);
  boost::json::object details = {
      {"upload_id", stored.id.str()}, {"purpose", body.purpose}, {"byte_length", body.byte_length}};
  co_await audit::record(tx, from, "upload.created", owner, details);
  co_await tx.commit();

  auto signed_put =
      bucket_->presign_put(stored.object_key, body.content_type,
                           static_cast<std::uint64_t>(body.byte_length), now_seconds());
  created_upload out{
      .id = stored.id,
      .upload = {.method = "PUT", .url = std::move(signed_put.url)},
      .expires_at = std::chrono::time_point_cast<std::chrono::microseconds>(signed_put.expires_at)};
  for (const auto& [name, value] : signed_put.headers) out.upload.headers[name] = value;
  co_return out;
}

async<upload_view> service::complete(const uuid& owner, const uuid& id, const audit::origin& from) {
  require_storage();
  auto found = co_await store::find(db_, id);
  if (!found || found->owner_id != owner || found->status == "deleted") throw no_such_upload();
  if (found->status == "ready") co_return co_await view_of_one(id);
  if (found->status == "rejected") {
    throw conflict("This upload was refused; start a new one.", "upload_rejected");
  }

  // The object's checks run before the transaction, so no row lock waits on the storage.
  auto info = co_await s3_->head(found->object_key);
  if (!info) throw conflict("The file has not been uploaded yet.", "upload_missing");
  std::optional<error> refusal;
  if (static_cast<std::int64_t>(info->byte_length) != found->byte_length) {
    refusal = mismatch("size_mismatch", "The stored file is not of the declared size.");
  } else {
    auto head = co_await s3_->get_range(found->object_key, 0, magic_length);
    if (!head || !content_matches(found->content_type, *head)) {
      refusal = mismatch("content_mismatch",
                         fmt::format("The file's content is not {}.", found->content_type));
    }
  }
  if (refusal) co_await s3_->remove(found->object_key);

  auto tx = co_await db_.begin();
  auto locked = co_await store::find_for_update(tx, id);
  if (!locked || locked->status != "pending") {
    co_await tx.rollback();
    co_return co_await view_of_one(id);  // another request completed or deleted it meanwhile
  }
  std::string status = refusal ? "rejected" : "ready";
  co_await store::set_status(tx, id, status);
  if (!refusal && is_image(found->content_type)) {
    auto payload = upload_payload(id);
    jobs::enqueue_options options{.unique_key = "uploads.variants:" + id.str(),
                                  .request_id = from.request_id,
                                  .traceparent = from.traceparent};
    co_await jobs::enqueue(tx, "uploads.variants", payload, options);
  }
  boost::json::object details = {{"upload_id", id.str()}};
  if (refusal) details["reason"] = refusal->code();
  co_await audit::record(tx, from, refusal ? "upload.rejected" : "upload.completed", owner,
                         details);
  co_await tx.commit();
  if (refusal) throw *refusal;
  co_return co_await view_of_one(id);
}

async<upload_view> service::get(const std::optional<uuid>& viewer, const uuid& id) {
  auto found = co_await store::find(db_, id);
  if (!found || found->status == "deleted") throw no_such_upload();
  bool owner = viewer && found->owner_id == *viewer;
  const purpose* p = find_purpose(found->purpose);
  bool public_and_ready = p != nullptr && p->is_public && found->status == "ready";
  if (!owner && !public_and_ready) throw no_such_upload();
  std::vector<uuid> ids = {id};
  auto variants = co_await store::variants_of(db_, ids);
  co_return view_of(*found, variants, bucket_);
}

async<upload_page> service::list(const uuid& owner, const list_query& query) {
  auto at = dto::read_page<store::position>(query.limit, query.cursor);
  auto rows = co_await store::list(db_, owner, query.purpose, at.after, at.fetch());
  std::vector<uuid> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  auto variants = co_await store::variants_of(db_, ids);
  std::vector<upload_view> views;
  views.reserve(rows.size());
  for (const auto& r : rows) views.push_back(view_of(r, variants, bucket_));
  co_return dto::make_page(std::move(views), at,
                           [](const upload_view& v) { return store::position{v.id}; });
}

async<void> service::remove(const uuid& owner, const uuid& id, const audit::origin& from) {
  auto tx = co_await db_.begin();
  auto found = co_await store::find_for_update(tx, id);
  if (!found || found->owner_id != owner) throw no_such_upload();
  if (found->status == "deleted") co_return;  // deleting twice is not an error
  co_await store::set_status(tx, id, "deleted");
  co_await queue_object_deletion(tx, id);
  boost::json::object details = {{"upload_id", id.str()}};
  co_await audit::record(tx, from, "upload.deleted", owner, details);
  co_await tx.commit();
}

async<upload_view> service::view_of_one(const uuid& id) {
  auto found = co_await store::find(db_, id);
  if (!found) throw no_such_upload();
  std::vector<uuid> ids = {id};
  auto variants = co_await store::variants_of(db_, ids);
  co_return view_of(*found, variants, bucket_);
}

async<int> delete_all_of(db::transaction& tx, const uuid& owner) {
  auto ids = co_await store::take_all_of(tx, owner);
  for (const auto& id : ids) co_await queue_object_deletion(tx, id);
  co_return static_cast<int>(ids.size());
}

async<int> purge_stale_pending(db::pool& db, std::chrono::seconds older_than) {
  int total = 0;
  for (;;) {
    auto tx = co_await db.begin();
    auto ids = co_await store::take_stale_pending(tx, older_than.count(), 500);
    for (const auto& id : ids) co_await queue_object_deletion(tx, id);
    co_await tx.commit();
    total += static_cast<int>(ids.size());
    if (ids.size() < 500) co_return total;
  }
}

}  // namespace keel::uploads
