// The instance's feed: for each channel someone here follows, the newest event read of it.
// A change is read from the table once per instance, then posted to every loop.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "core/realtime/hub.hpp"
#include "core/realtime/store.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"

namespace keel::realtime {

namespace net = boost::asio;

namespace {
// Events read per statement while catching up: each page is held in memory (row, event and
// both encodings) until every loop has taken it.
constexpr int read_page = 100;
}  // namespace

async<std::int64_t> hub::follow(const std::string& channel) {
  {
    std::lock_guard lock(followed_mutex_);
    if (auto it = followed_.find(channel); it != followed_.end()) {
      it->second.followers++;
      co_return it->second.newest;
    }
  }
  std::int64_t newest = co_await store::last_event_id(db_, channel);
  bool first = false;
  {
    std::lock_guard lock(followed_mutex_);
    auto [it, inserted] = followed_.try_emplace(channel);
    if (inserted) it->second.newest = newest;
    it->second.followers++;
    newest = it->second.newest;
    first = inserted;
  }
  // A commit between the read above and the entry's creation had no one to tell: look again.
  if (first) channel_changed(channel);
  co_return newest;
}

void hub::unfollow(const std::string& channel) {
  std::lock_guard lock(followed_mutex_);
  auto it = followed_.find(channel);
  if (it == followed_.end()) return;
  if (--it->second.followers <= 0 && !it->second.reading) followed_.erase(it);
}

void hub::channel_changed(const std::string& channel) {
  {
    std::lock_guard lock(followed_mutex_);
    auto it = followed_.find(channel);
    if (it == followed_.end()) return;  // no one here follows it
    if (it->second.reading) {
      it->second.again = true;
      return;
    }
    it->second.reading = true;
  }
  net::co_spawn(loops_.loop(runtime::event_loops::current_index()), read_new(channel),
                net::detached);
}

void hub::catch_up() {
  std::vector<std::string> channels;
  {
    std::lock_guard lock(followed_mutex_);
    for (const auto& [name, f] : followed_) channels.push_back(name);
  }
  for (const auto& name : channels) channel_changed(name);
}

// `channel` by value: this coroutine is spawned and outlives its caller's string.
async<void> hub::read_new(std::string channel) {
  boost::json::value channels = boost::json::array{boost::json::value(channel)};
  for (;;) {
    std::int64_t after = 0;
    {
      std::lock_guard lock(followed_mutex_);
      after = followed_.at(channel).newest;  // kept while reading is set
    }
    std::vector<event> fresh;
    bool failed = false;
    try {
      fresh = co_await store::events_after(db_, channels, after, read_page);
    } catch (const std::exception& e) {
      // Nothing is lost: the events stay in the table and the next change reads them.
      log::warn("realtime: cannot read new events", {{"error", e.what()}});
      failed = true;
    }
    if (!fresh.empty()) {
      auto batch = std::make_shared<std::vector<std::shared_ptr<const encoded_event>>>();
      batch->reserve(fresh.size());
      std::int64_t last = fresh.back().id;
      for (auto& e : fresh) batch->push_back(std::make_shared<encoded_event>(encode(std::move(e))));
      {
        std::lock_guard lock(followed_mutex_);
        followed_.at(channel).newest = last;
      }
      std::shared_ptr<const std::vector<std::shared_ptr<const encoded_event>>> shared = batch;
      for (int i = 0; i < loops_.size(); ++i) {
        net::post(loops_.loop(i), [this, i, channel, shared] { deliver(i, channel, shared); });
      }
    }
    std::lock_guard lock(followed_mutex_);
    auto& f = followed_.at(channel);
    if (!failed && static_cast<int>(fresh.size()) == read_page) continue;
    if (f.again && !failed) {
      f.again = false;
      continue;
    }
    f.reading = false;
    f.again = false;
    if (f.followers <= 0) followed_.erase(channel);
    co_return;
  }
}

}  // namespace keel::realtime
