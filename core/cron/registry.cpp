// The task registry and keel-cron's command line.
#include <fmt/format.h>

#include <stdexcept>

#include "core/cron/runner.hpp"
#include "core/cron/task.hpp"
#include "core/runtime/program.hpp"

namespace keel::cron {
namespace {

const runtime::program_info cron_program{
    "keel-cron", "Runs one named task and exits (for a scheduler, a pre-deploy job or ops).",
    "list | run NAME [ARGS...] | run NAME --help"};

void print_list(const registry& tasks) {
  for (const auto& t : tasks.all()) fmt::print("{:<16} {}\n", t.name, t.summary);
}

}  // namespace

void registry::add(task t) {
  if (find(t.name) != nullptr) throw std::logic_error("task registered twice: " + t.name);
  tasks_.push_back(std::move(t));
}

const task* registry::find(std::string_view name) const {
  for (const auto& t : tasks_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

int run_command_line(const registry& tasks, const program_config& config, int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    runtime::print_help(cron_program, config.variables);
    fmt::print("\nTasks:\n");
    print_list(tasks);
    return words.empty() ? 2 : 0;
  }
  if (words[0] == "list") {
    print_list(tasks);
    return 0;
  }
  if (words[0] != "run" || words.size() < 2) {
    fmt::print(stderr, "keel-cron: expected `list` or `run NAME`; see keel-cron --help\n");
    return 2;
  }
  const task* t = tasks.find(words[1]);
  if (t == nullptr) {
    fmt::print(stderr, "keel-cron: unknown task {:?}; `keel-cron list` shows the tasks\n",
               words[1]);
    return 2;
  }
  std::vector<std::string> args(words.begin() + 2, words.end());
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      fmt::print("keel-cron run {}\n\n{}\n\n{}\n", t->name, t->summary, t->help);
      return 0;
    }
  }
  if (!t->needs_database) return run_offline_task(*t, std::move(args));
  const db::settings& db = config.read(cron_program);
  return run_task_process(db, *t, std::move(args));
}

}  // namespace keel::cron
