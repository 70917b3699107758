// The operations signals' SQL: the job table's counts, keel-api's samples and the alerts' marks.
#pragma once
#include <chrono>
#include <string_view>

#include "core/ops/dto.hpp"
#include "core/runtime/async.hpp"

namespace keel::db {
class pool;
}

namespace keel::ops::store {

// Jobs by state, every queue together.
async<job_counts> count_jobs(db::pool& db);

// Jobs discarded within the last `window`.
async<std::int64_t> discarded_within(db::pool& db, std::chrono::milliseconds window);

// Records what `instance` served since its last sample, and drops samples older than a day.
async<void> add_sample(db::pool& db, std::string_view instance, const sample& s);

// What every instance served within the last `window`, added up.
async<sample> samples_within(db::pool& db, std::chrono::milliseconds window);

// Marks alert `name` sent now unless it was sent within `interval`; whether it was marked
// (only then is it to be posted). One statement: two workers cannot both win.
async<bool> mark_alert(db::pool& db, std::string_view name, std::chrono::milliseconds interval);

// Gives the mark back when the post failed, so that the next check tries again.
async<void> unmark_alert(db::pool& db, std::string_view name);

}  // namespace keel::ops::store
