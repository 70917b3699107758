// The task groups keel-cron registers; each feature adds its tasks with one function, handed
// the settings its tasks read.
#pragma once
#include "core/cron/task.hpp"

namespace keel::jobs {
struct retention_settings;
}
namespace keel::realtime {
struct settings;
}

namespace keel::cron {

void add_db_tasks(registry& tasks);
// `retention` is read before a task runs; it must outlive the registry.
void add_jobs_tasks(registry& tasks, const jobs::retention_settings& retention);
void add_auth_tasks(registry& tasks);
void add_users_tasks(registry& tasks);
void add_uploads_tasks(registry& tasks);
// `cfg` is read when the task runs; it must outlive the registry.
void add_realtime_tasks(registry& tasks, const realtime::settings& cfg);

}  // namespace keel::cron
