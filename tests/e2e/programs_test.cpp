// keel-cron and keel-worker as real processes: their tasks, their start and stop, and the
// configuration problems that make them exit 2.
#include <libpq-fe.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <thread>

#include "../support/database.hpp"
#include "../support/process.hpp"

using namespace keel::test;

TEST_CASE("keel-cron list names every task with a description") {
  process p(binary("keel-cron"), {"list"}, {});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
  auto out = p.output();
  CHECK(out.find("db.migrate") != std::string::npos);
  CHECK(out.find("db.status") != std::string::npos);
  CHECK(out.find("Apply pending schema migrations") != std::string::npos);
}

TEST_CASE("keel-cron run of an unknown task exits 2") {
  process p(binary("keel-cron"), {"run", "no.such.task"}, {{"DATABASE_URL", fresh_database()}});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 2);
  CHECK(p.output().find("unknown task") != std::string::npos);
}

TEST_CASE("keel-cron run NAME --help describes the task without running it") {
  process p(binary("keel-cron"), {"run", "db.migrate", "--help"}, {{"DATABASE_URL", ""}});
  REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
  CHECK(p.output().find("advisory lock") != std::string::npos);
}

TEST_CASE("keel-cron db.status on a migrated database shows nothing pending") {
  process p(binary("keel-cron"), {"run", "db.status"},
            {{"DATABASE_URL", fresh_database()}, {"LOG_LEVEL", "warn"}});
  REQUIRE(p.wait(std::chrono::seconds(20)) == 0);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("applied  0001_uuidv7.sql") != std::string::npos);
  CHECK(out.find(" 0 pending") != std::string::npos);
}

TEST_CASE("keel-cron run fails with status 1 when the database cannot be reached") {
  process p(
      binary("keel-cron"), {"run", "db.status"},
      {{"DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"}, {"DB_ACQUIRE_TIMEOUT", "1s"}});
  auto status = p.wait(std::chrono::seconds(20));
  REQUIRE(status.has_value());
  CHECK(*status == 1);
}

TEST_CASE("keel-worker connects, waits for work and stops on SIGTERM with status 0") {
  process p(binary("keel-worker"), {}, {{"DATABASE_URL", fresh_database()}});
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = p.output().find("worker ready") != std::string::npos;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);
  auto started = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
}

namespace {

// Waits until the process printed `text` (true) or exited or 10 s passed (false).
bool wait_for_output(process& p, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (p.output().find(text) != std::string::npos) return true;
    if (!p.running()) return p.output().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void stop(process& p) {
  p.signal(SIGTERM);
  REQUIRE(p.wait(std::chrono::seconds(10)) == 0);
}

// One statement through blocking libpq; the first field of the first row, or "".
std::string sql(const std::string& url, const std::string& statement) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), statement.c_str()), &PQclear);
  auto status = PQresultStatus(r.get());
  INFO(statement << ": " << PQerrorMessage(c.get()));
  REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
  if (PQntuples(r.get()) == 0) return "";
  return PQgetvalue(r.get(), 0, 0);
}

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("keel-worker in production refuses the log mail transport, with the other problems") {
  process p(binary("keel-worker"), {},
            {{"DATABASE_URL", fresh_database()},
             {"APP_ENV", "production"},
             {"MAIL_TRANSPORT", "log"},
             {"SMTP_URL", "smtp://127.0.0.1:2525"},
             {"WORKER_QUEUES", "default:0"},
             {"LOG_LEVEL", "loud"}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("MAIL_TRANSPORT=log is refused when APP_ENV=production") != std::string::npos);
  CHECK(out.find("WORKER_QUEUES") != std::string::npos);
  CHECK(out.find("LOG_LEVEL") != std::string::npos);
  CHECK(out.find("worker ready") == std::string::npos);
}

TEST_CASE("keel-worker in production requires SMTP_URL and exits 2 without it") {
  process p(binary("keel-worker"), {},
            {{"DATABASE_URL", fresh_database()},
             {"APP_ENV", "production"},
             {"MAIL_TRANSPORT", ""},
             {"SMTP_URL", ""}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("SMTP_URL is required when APP_ENV=production") != std::string::npos);
}

TEST_CASE("a bad MAIL_TRANSPORT or APP_ENV is reported with the other problems, exit 2") {
  process p(binary("keel-worker"), {},
            {{"DATABASE_URL", ""}, {"APP_ENV", "staging"}, {"MAIL_TRANSPORT", "carrier-pigeon"}});
  auto status = p.wait(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  auto out = p.output();
  INFO(out);
  CHECK(out.find("DATABASE_URL is required") != std::string::npos);
  CHECK(out.find("APP_ENV=\"staging\" must be development or production") != std::string::npos);
  CHECK(out.find("MAIL_TRANSPORT=\"carrier-pigeon\" must be smtp or log") != std::string::npos);
}

TEST_CASE("SMTP_URL alone selects SMTP, in development and in production") {
  for (const char* env : {"development", "production"}) {
    INFO(env);
    process p(binary("keel-worker"), {},
              {{"DATABASE_URL", fresh_database()},
               {"APP_ENV", env},
               {"MAIL_TRANSPORT", ""},
               {"SMTP_URL", "smtp://keel:hunter2@127.0.0.1:2525"}});
    REQUIRE(wait_for_output(p, "worker ready"));
    auto out = p.output();
    INFO(out);
    CHECK(out.find("mail transport: smtp") != std::string::npos);
    CHECK(out.find("mail transport: log") == std::string::npos);
    CHECK(out.find("hunter2") == std::string::npos);
    stop(p);
  }
}

TEST_CASE("without SMTP_URL in development keel-worker logs mail instead of sending it") {
  process p(binary("keel-worker"), {},
            {{"DATABASE_URL", fresh_database()}, {"MAIL_TRANSPORT", ""}, {"SMTP_URL", ""}});
  REQUIRE(wait_for_output(p, "worker ready"));
  CHECK(p.output().find("mail transport: log") != std::string::npos);
  stop(p);
}

TEST_CASE("keel-worker has no test job kinds, keel-worker-test runs them") {
  std::string url = fresh_database();
  sql(url, "CREATE TABLE test_job_runs (job_id uuid NOT NULL, attempt int, request_id text)");
  auto enqueue = [&] {
    return sql(url, "INSERT INTO jobs (kind, payload) VALUES ('test.record', '{}') RETURNING id");
  };
  auto state_of = [&](const std::string& id) {
    return sql(url, "SELECT state FROM jobs WHERE id = '" + id + "'");
  };

  // The variable that used to switch them on in keel-worker changes nothing now.
  std::string refused = enqueue();
  {
    process worker(binary("keel-worker"), {},
                   {{"DATABASE_URL", url},
                    {"KEEL_WORKER_TEST_KINDS", "1"},
                    {"WORKER_POLL_INTERVAL", "100ms"}});
    REQUIRE(eventually([&] { return state_of(refused) == "discarded"; }));
    INFO(worker.output());
    CHECK(worker.output().find("test job kinds") == std::string::npos);
    stop(worker);
  }
  CHECK(sql(url, "SELECT errors::text FROM jobs WHERE id = '" + refused + "'")
            .find("unknown job kind") != std::string::npos);
  CHECK(sql(url, "SELECT count(*) FROM test_job_runs") == "0");

  std::string ran = enqueue();
  process test_worker(binary("keel-worker-test"), {},
                      {{"DATABASE_URL", url}, {"WORKER_POLL_INTERVAL", "100ms"}});
  REQUIRE(eventually([&] { return state_of(ran) == "completed"; }));
  stop(test_worker);
  CHECK(sql(url, "SELECT count(*) FROM test_job_runs WHERE job_id = '" + ran + "'") == "1");
}
