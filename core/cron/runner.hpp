// Runs one task the way every keel-cron run goes: locked, recorded, with an exit status.
#pragma once
#include <string>
#include <vector>

#include "core/cron/task.hpp"

namespace keel::cron {

// Takes the task's advisory lock (skipping or waiting as the task says), records the run in
// cron_runs (once that table exists), runs it and returns the exit status: 0 success or
// skipped, 1 failure. Never throws: every failure is logged and recorded.
async<int> run_locked(const task& t, task_context& ctx);

// The whole process around run_locked, once the configuration is read: one event loop, a
// small pool.
int run_task_process(const db::settings& db, const task& t, std::vector<std::string> args);

// A task with needs_database = false: no configuration, no lock, no record, nothing logged
// unless it fails, so that what it prints on stdout is all there is.
int run_offline_task(const task& t, std::vector<std::string> args);

}  // namespace keel::cron
