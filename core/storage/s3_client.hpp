// Signed requests keel itself makes to the bucket (the worker's content checks, variants and
// deletions): HEAD, ranged GET, PUT, DELETE and CopyObject. Each runs libcurl's blocking
// transfer on the client's own small thread pool and is awaited, so no event loop waits.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/runtime/async.hpp"
#include "core/storage/bucket.hpp"

namespace keel::storage {

struct object_info {
  std::uint64_t byte_length = 0;
  std::string content_type;
  std::string etag;
};

class s3_client {
 public:
  explicit s3_client(const bucket& b);
  ~s3_client();

  // nullopt when there is no such object.
  async<std::optional<object_info>> head(const std::string& key);
  // Bytes [offset, offset + length) (fewer at the end of the object); nullopt when missing.
  async<std::optional<std::string>> get_range(const std::string& key, std::uint64_t offset,
                                              std::uint64_t length);
  async<void> put(const std::string& key, const std::string& body, const std::string& content_type);
  // Idempotent: deleting a missing object succeeds.
  async<void> remove(const std::string& key);
  async<void> copy(const std::string& from_key, const std::string& to_key);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace keel::storage
