// keel-worker: connects, waits for jobs and runs them; stops gracefully on SIGTERM.
// The job system (kinds, claiming, retries) comes with the jobs feature; for now the
// worker proves the plumbing: configuration, the pool, readiness and shutdown.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/pool.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/runtime/log.hpp"
#include "core/runtime/program.hpp"
#include "core/runtime/shutdown.hpp"

namespace {

const keel::runtime::program_info worker_program{
    "keel-worker", "Runs jobs from the PostgreSQL job table until SIGTERM.", "[--help]",
    keel::runtime::worker};

// Waits for the database (it may come up after the worker), then idles between polls
// until `stopping`; the shutdown cancels `timer` so that no poll interval delays the exit.
keel::async<void> wait_for_work(keel::db::pool& db, const keel::runtime::config& cfg,
                                boost::asio::steady_timer& timer, const bool& stopping) {
  bool connected = false;
  while (!stopping) {
    bool up = co_await db.ping(std::chrono::seconds(2));
    if (up != connected) {
      connected = up;
      if (up) {
        keel::log::info("worker ready: waiting for jobs");
      } else {
        keel::log::warn("database unreachable; retrying");
      }
    }
    if (stopping) break;
    timer.expires_after(cfg.worker_poll_interval);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto cfg = keel::runtime::start_program(worker_program, argc, argv);
  keel::runtime::event_loops loops(1);
  keel::db::pool db(loops, keel::db::pool_options_from(cfg, "keel-worker"));
  boost::asio::steady_timer poll_timer(loops.loop(0));
  bool stopping = false;
  boost::asio::co_spawn(
      loops.loop(0),
      [&]() -> keel::async<void> {
        co_await wait_for_work(db, cfg, poll_timer, stopping);
        co_await db.close();
        loops.release_work();
      },
      boost::asio::detached);
  keel::runtime::shutdown_signal signal(loops, [&] {
    stopping = true;
    poll_timer.cancel();
    signal.cancel();
  });
  keel::log::info("keel-worker started");
  loops.run();
  keel::log::info("keel-worker stopped");
  return 0;
}
