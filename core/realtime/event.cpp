// Encoding an event once for every connection that receives it.
#include "core/realtime/event.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "core/realtime/frames.hpp"

namespace keel::realtime {

encoded_event encode(event e) {
  encoded_event out;
  // `data` is jsonb's own text output: valid JSON, on one line (newlines are escaped).
  out.frame.reserve(64 + e.channel.size() + e.type.size() + e.data.size());
  out.frame += R"({"type":"event","id":)";
  out.frame += std::to_string(e.id);
  out.frame += R"(,"channel":)";
  out.frame += boost::json::serialize(boost::json::string(e.channel));
  out.frame += R"(,"event":)";
  out.frame += boost::json::serialize(boost::json::string(e.type));
  out.frame += R"(,"data":)";
  out.frame += e.data;
  out.frame += '}';
  out.frame = frames::encode(frames::opcode::text, out.frame);
  out.sse_block = "event: " + e.type + "\ndata: " + e.data + "\n\n";
  out.source = std::move(e);
  // Both encodings carry the data; a third copy would only cost memory while it is delivered.
  std::string().swap(out.source.data);
  return out;
}

}  // namespace keel::realtime
