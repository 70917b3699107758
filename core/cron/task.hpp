// A named one-shot task that keel-cron runs (migrations, pruning, reports, ...).
#pragma once
#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/async.hpp"
#include "core/runtime/program.hpp"

namespace keel::db {
class pool;
struct settings;
}  // namespace keel::db

namespace keel::cron {

// A task's settings are not in here: a task group is handed the settings it uses when it is
// registered (cron/main.cpp), and they are read before a task that needs the database runs.
struct task_context {
  db::pool& db;
  std::vector<std::string> args;  // what followed the task name on the command line
  boost::json::object summary;    // what the run did ({"deleted": 120}); kept in cron_runs
};

// What a run does when another run of the same task holds its lock.
enum class overlap {
  skip,  // exit 0 at once, recorded as skipped: scheduled tasks that must not pile up
  wait,  // wait for the other run to end: db.migrate, where every deploy must see it done
};

struct task {
  std::string name;     // "db.migrate": area.verb
  std::string summary;  // one line for `keel-cron list`
  std::string help;     // `keel-cron run NAME --help`: what it does, its arguments
  // Returns the exit status: 0 success. Throwing is a failure too (status 1).
  std::function<async<int>(task_context&)> run;
  overlap when_running = overlap::skip;
  // false for a task that uses neither the database nor the configuration (auth.keygen, which
  // dev.sh runs before any database exists): it runs without DATABASE_URL, without the
  // advisory lock and without a cron_runs record; ctx.db is a pool that must not be used and
  // no setting is read from the environment.
  bool needs_database = true;
};

class registry {
 public:
  // Throws std::logic_error for a name registered twice.
  void add(task t);
  const task* find(std::string_view name) const;
  const std::vector<task>& all() const { return tasks_; }

 private:
  std::vector<task> tasks_;
};

// What keel-cron's command line needs of its configuration.
struct program_config {
  std::string variables;  // for --help: runtime::describe_variables<C>()
  // Reads the configuration into the settings the tasks were handed (exiting 2 with every
  // problem) and returns the pool's settings. Called only to run a task that needs the database.
  std::function<const db::settings&(const runtime::program_info& program)> read;
};

// keel-cron's command line: `list`, `run NAME [ARGS...]`, `run NAME --help`, `--help`.
// Exit status: 0 success, 1 task failure, 2 usage error, unknown task or bad configuration.
int run_command_line(const registry& tasks, const program_config& config, int argc, char** argv);

// The program_config of `cfg` (a described struct of feature settings with a `db` member),
// which the tasks hold references into.
template <class C>
program_config config_of(C& cfg, char** argv) {
  return {
      .variables = runtime::describe_variables<C>(),
      .read = [&cfg, argv](const runtime::program_info& program) -> const db::settings& {
        // The task's own arguments are not the program's: only the name is passed on.
        char* program_only[] = {argv[0], nullptr};
        cfg = runtime::start_program<C>(program, 1, program_only);
        return cfg.db;
      },
  };
}

}  // namespace keel::cron
