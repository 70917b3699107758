// The SQL of keel-cron's bookkeeping: the per-task advisory lock and the cron_runs table.
#pragma once
#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "core/runtime/async.hpp"
#include "core/runtime/time.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::db {
class pool;
class lease;
}  // namespace keel::db

namespace keel::cron::store {

// Session-level advisory locks keyed by the task name: held on `session` for the whole run.
async<bool> try_lock(db::lease& session, std::string_view task);
async<void> lock(db::lease& session, std::string_view task);
async<void> unlock(db::lease& session, std::string_view task);

// False until the migration that creates cron_runs ran (db.migrate's very first run).
async<bool> runs_table_exists(db::pool& db);

async<uuid> insert_running(db::pool& db, std::string_view task, std::string_view runner,
                           timestamp started_at);

async<void> finish(db::pool& db, const uuid& run, std::string_view status,
                   const std::optional<std::string>& error, const boost::json::object& summary);

// A run that could not be recorded when it started (the table did not exist yet), or a
// skipped run, written in one go.
async<void> insert_finished(db::pool& db, std::string_view task, std::string_view runner,
                            std::string_view status, timestamp started_at,
                            const std::optional<std::string>& error,
                            const boost::json::object& summary);

}  // namespace keel::cron::store
