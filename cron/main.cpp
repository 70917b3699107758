// keel-cron: runs one named task and exits. The registry below is every task there is.
#include "cron/tasks.hpp"

int main(int argc, char** argv) {
  keel::cron::registry tasks;
  keel::cron::add_db_tasks(tasks);
  return keel::cron::run_command_line(tasks, argc, argv);
}
