// How a feature emits a realtime event: one call inside the transaction of the change it is
// about. The event row commits (or not) with the change; only after the commit are this
// instance's hub and, through the broker, every other instance told that the channel moved.
#pragma once
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string_view>

#include "core/runtime/async.hpp"

namespace keel::db {
class transaction;
}

namespace keel::realtime {

class hub;
class broker;

// Event data is a small notice (ids, versions), never a document: clients refetch the rest.
inline constexpr std::size_t max_event_data_bytes = 8 * 1024;

class publisher {
 public:
  // Either may be null: keel-worker has no hub of its own, one instance may have no broker.
  publisher(hub* local, broker* remote) : local_(local), remote_(remote) {}

  // Writes the event in `tx` and tells the hubs after `tx` commits. Returns the event's id.
  // std::invalid_argument for data over max_event_data_bytes (a mistake in the caller).
  async<std::int64_t> publish(db::transaction& tx, std::string_view channel, std::string_view type,
                              const boost::json::object& data);

 private:
  hub* local_;
  broker* remote_;
};

}  // namespace keel::realtime
