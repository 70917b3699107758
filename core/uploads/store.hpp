// The SQL of uploads, and nothing else: one query per function.
#pragma once
#include <boost/describe/class.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime/async.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::db {
class pool;
class transaction;
}  // namespace keel::db

namespace keel::uploads::store {

struct stored_upload {
  uuid id;
  std::optional<uuid> owner_id;
  std::string purpose;
  std::string content_type;
  std::int64_t byte_length = 0;
  std::string file_name;
  std::string object_key;
  std::string status;
  std::optional<std::string> variants_error;
  timestamp created_at;
};

struct stored_variant {
  uuid upload_id;
  int size = 0;
  std::string object_key;
  int width = 0;
  int height = 0;
  std::int64_t byte_length = 0;
};

// Where a list page ends: ids are UUIDv7, so id order is creation order.
struct position {
  uuid id;
};
BOOST_DESCRIBE_STRUCT(position, (), (id))

struct daily_usage {
  std::int64_t count = 0;
  std::int64_t bytes = 0;
};

// What `owner` uploaded in the last day, holding a lock on the owner until `tx` ends, so two
// concurrent creates cannot both pass the quota.
async<daily_usage> usage_today(db::transaction& tx, const uuid& owner);

struct new_upload {
  uuid owner_id;
  std::string purpose;
  std::string content_type;
  std::int64_t byte_length = 0;
  std::string file_name;
  std::string safe_name;  // purposes.hpp safe_file_name(file_name)
};

// A pending upload whose object key is uploads/<its new id>/<safe_name>.
async<stored_upload> insert(db::transaction& tx, const new_upload& u);

async<std::optional<stored_upload>> find(db::pool& db, const uuid& id);
// The same, locked until `tx` ends (complete and delete take turns on one upload).
async<std::optional<stored_upload>> find_for_update(db::transaction& tx, const uuid& id);

// pending → ready or rejected; ready/pending/rejected → deleted.
async<void> set_status(db::transaction& tx, const uuid& id, const std::string& status);

// At most `limit` of the owner's uploads (not deleted) after `after`, newest first.
async<std::vector<stored_upload>> list(db::pool& db, const uuid& owner,
                                       const std::optional<std::string>& purpose,
                                       const std::optional<position>& after, int limit);

async<std::vector<stored_variant>> variants_of(db::pool& db, const std::vector<uuid>& uploads);

// Records one variant (again: a retried job writes the same row).
async<void> save_variant(db::pool& db, const stored_variant& v);
async<void> set_variants_error(db::pool& db, const uuid& id, const std::string& reason);

// Marks up to `limit` uploads still pending after `older_than_seconds` deleted and returns
// their ids, skipping rows another transaction holds.
async<std::vector<uuid>> take_stale_pending(db::transaction& tx, std::int64_t older_than_seconds,
                                            int limit);

// Marks every upload of `owner` deleted (the account goes) and returns their ids.
async<std::vector<uuid>> take_all_of(db::transaction& tx, const uuid& owner);

}  // namespace keel::uploads::store
