// The task registry and keel-cron's command line.
#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <stdexcept>

#include "core/cron/task.hpp"
#include "core/db/pool.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/program.hpp"

namespace keel::cron {
namespace {

const runtime::program_info cron_program{
    "keel-cron", "Runs one named task and exits (for a scheduler, a pre-deploy job or ops).",
    "list | run NAME [ARGS...] | run NAME --help", runtime::cron};

void print_list(const registry& tasks) {
  for (const auto& t : tasks.all()) fmt::print("{:<16} {}\n", t.name, t.summary);
}

int run_task(const task& t, std::vector<std::string> args, int argc, char** argv) {
  runtime::config cfg = runtime::start_program(cron_program, argc, argv);
  runtime::event_loops loops(1);
  // A task is one sequence of statements: two connections cover a task and its lock.
  auto options = db::pool_options_from(cfg, "keel-cron " + t.name);
  options.size = std::min(cfg.db_pool_size, 2);
  db::pool pool(loops, options);
  int status = 1;
  auto started = std::chrono::steady_clock::now();
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> async<void> {
        task_context ctx{cfg, pool, std::move(args)};
        try {
          status = co_await t.run(ctx);
        } catch (const std::exception& e) {
          log::error("task failed", {{"task", t.name}, {"error", e.what()}});
          status = 1;
        }
        co_await pool.close();
        loops.release_work();
      },
      boost::asio::detached);
  loops.run();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  log::info(status == 0 ? "task succeeded" : "task failed",
            {{"task", t.name}, {"status", status}, {"duration_ms", ms}});
  return status;
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

int run_command_line(const registry& tasks, int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    runtime::print_help(cron_program);
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
  // start_program must not see the task's own arguments as a request for help.
  char* program_only[] = {argv[0], nullptr};
  return run_task(*t, std::move(args), 1, program_only);
}

}  // namespace keel::cron
