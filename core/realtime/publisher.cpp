// Writing an event with its change, and telling the hubs once it committed.
#include "core/realtime/publisher.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>
#include <string>

#include "core/db/pool.hpp"
#include "core/realtime/broker.hpp"
#include "core/realtime/hub.hpp"
#include "core/realtime/store.hpp"

namespace keel::realtime {

async<std::int64_t> publisher::publish(db::transaction& tx, std::string_view channel,
                                       std::string_view type, const boost::json::object& data) {
  if (boost::json::serialize(data).size() > max_event_data_bytes) {
    throw std::invalid_argument("realtime event data over 8 KiB: send ids, not documents");
  }
  std::int64_t id = co_await store::insert_event(tx, channel, type, data);
  tx.after_commit([local = local_, remote = remote_, name = std::string(channel)] {
    if (local != nullptr) local->channel_changed(name);
    if (remote != nullptr) remote->announce(name);
  });
  co_return id;
}

}  // namespace keel::realtime
