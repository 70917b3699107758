// The task groups keel-cron registers; each feature adds its tasks with one function.
#pragma once
#include "core/cron/task.hpp"

namespace keel::cron {

void add_db_tasks(registry& tasks);
void add_jobs_tasks(registry& tasks);
void add_auth_tasks(registry& tasks);
void add_users_tasks(registry& tasks);
void add_uploads_tasks(registry& tasks);

}  // namespace keel::cron
