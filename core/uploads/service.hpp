// Uploads: presigned uploads straight to the bucket, the checks that make an object `ready`,
// who may see it, and deletion through keel-worker. No HTTP types: routes call these.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/audit/dto.hpp"
#include "core/runtime/async.hpp"
#include "core/uploads/dto.hpp"
#include "core/uploads/settings.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db
namespace keel::storage {
class bucket;
class s3_client;
}  // namespace keel::storage

namespace keel::uploads {

class service {
 public:
  // `bucket` and `s3` are null when storage is not configured (no S3_BUCKET): every call
  // then answers 503 storage_not_configured.
  service(db::pool& db, const storage::bucket* bucket, storage::s3_client* s3,
          const settings& limits);

  // A pending upload and the presigned PUT that sends its bytes. 422 for a type or size the
  // purpose does not take (before anything is signed), 429 past the daily quota.
  async<created_upload> create(const uuid& owner, const create_body& body,
                               const audit::origin& from);
  // Checks the object: there, of the declared size, starting like its declared type. Then
  // `ready` (and, for images, a uploads.variants job); otherwise the object is deleted and
  // the upload `rejected` (422 content_mismatch / size_mismatch, 409 when not uploaded yet).
  async<upload_view> complete(const uuid& owner, const uuid& id, const audit::origin& from);
  // The owner sees any of theirs; anyone sees a ready upload of a public purpose. 404 else.
  async<upload_view> get(const std::optional<uuid>& viewer, const uuid& id);
  async<upload_page> list(const uuid& owner, const list_query& query);
  // Marked deleted at once; a storage.delete job removes the objects. 404 unless the owner's.
  async<void> remove(const uuid& owner, const uuid& id, const audit::origin& from);

 private:
  void require_storage() const;
  async<upload_view> view_of_one(const uuid& id);

  db::pool& db_;
  const storage::bucket* bucket_;
  storage::s3_client* s3_;
  settings quota_;
};

// Marks the owner's uploads deleted and queues the removal of their objects in `tx` (an
// account being deleted). Returns how many.
async<int> delete_all_of(db::transaction& tx, const uuid& owner);

// Marks pending uploads older than `older_than` deleted and queues their objects' removal,
// in batches; returns how many (keel-cron uploads.purge).
async<int> purge_stale_pending(db::pool& db, std::chrono::seconds older_than);

}  // namespace keel::uploads
