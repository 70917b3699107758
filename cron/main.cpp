// keel-cron: runs one named task and exits. The registry below is every task there is.
#include "cron/settings.hpp"
#include "cron/tasks.hpp"

int main(int argc, char** argv) {
  keel::cron::settings cfg;  // read when a task that needs the database runs
  keel::cron::registry tasks;
  keel::cron::add_db_tasks(tasks);                      // db.migrate db.status
  keel::cron::add_jobs_tasks(tasks, cfg.jobs);          // jobs.prune jobs.rescue jobs.stats
  keel::cron::add_auth_tasks(tasks);                    // auth.keygen auth.purge
  keel::cron::add_users_tasks(tasks);                   // users.promote
  keel::cron::add_uploads_tasks(tasks);                 // uploads.purge
  keel::cron::add_realtime_tasks(tasks, cfg.realtime);  // realtime.prune
  return keel::cron::run_command_line(tasks, keel::cron::config_of(cfg, argv), argc, argv);
}
