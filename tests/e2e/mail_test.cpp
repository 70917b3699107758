// Mail end to end: mail::queue() commits a message, a real keel-worker runs its email.send job
// and the message arrives at the SMTP sink (or, with MAIL_TRANSPORT=log, in the worker's log).
#include <signal.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "core/db/pool.hpp"
#include "core/mail/format.hpp"
#include "core/mail/service.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_sink.hpp"

using namespace std::chrono_literals;
using keel::async;
using keel::test::run_async;
namespace mail = keel::mail;

namespace {

// A fresh database and a pool on it, to queue mail as a feature's service would.
struct app_database {
  std::string url = keel::test::fresh_database();
  keel::runtime::event_loops loops{1};
  keel::db::pool pool{loops, {.url = url, .size = 1, .application_name = "keel_mail_e2e"}};

  keel::uuid queue(const mail::message& m) {
    return run_async(loops, [&]() -> async<keel::uuid> {
      auto tx = co_await pool.begin();
      auto id = co_await mail::queue(tx, m);
      co_await tx.commit();
      co_return id;
    });
  }

  std::string scalar(std::string_view sql, const keel::uuid& id) {
    return run_async(loops, [&]() -> async<std::string> {
      auto rows = co_await pool.query(sql, id);
      co_return rows.empty() ? std::string() : rows[0].get<std::string>(0);
    });
  }
};

mail::message verify_email(std::string to) {
  return {.to = std::move(to),
          .subject = "Confirm your address",
          .text = "Confirm: https://app.example.com/verify?token=e2e-token-42\n",
          .html = std::nullopt,
          .reply_to = std::nullopt,
          .purpose = "auth.verify_email"};
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

void stop(keel::test::process& worker) {
  worker.signal(SIGTERM);
  auto status = worker.wait(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

}  // namespace

TEST_CASE("keel-worker delivers a queued message over SMTP, once, without logging credentials",
          "[mail]") {
  app_database db;
  keel::test::process worker(keel::test::binary("keel-worker"), {},
                             {{"DATABASE_URL", db.url},
                              {"MAIL_TRANSPORT", "smtp"},
                              {"SMTP_URL", keel::test::smtp_sink_url("keel:secret")},
                              {"MAIL_FROM", "keel <no-reply@keel.test>"},
                              {"WORKER_POLL_INTERVAL", "250ms"}});
  auto to = keel::test::unique_address();
  auto id = db.queue(verify_email(to));

  auto got = keel::test::wait_for_mail(to, 1, 15s);
  INFO(worker.output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].mail_from == "no-reply@keel.test");
  CHECK(got[0].header("Subject") == "Confirm your address");
  CHECK(got[0].header("Message-ID") == mail::message_id(id, "no-reply@keel.test"));
  CHECK(keel::test::decode_quoted_printable(got[0].body()).find("token=e2e-token-42") !=
        std::string::npos);
  CHECK(eventually(
      [&] {
        return db.scalar("SELECT state FROM jobs WHERE payload->>'message_id' = $1::uuid::text",
                         id) == "completed";
      },
      5s));
  CHECK(db.scalar("SELECT status FROM mail_messages WHERE id = $1", id) == "sent");
  stop(worker);
  CHECK(keel::test::received_for(to).size() == 1);
  auto output = worker.output();
  CHECK(output.find("smtp://127.0.0.1:") != std::string::npos);  // the server, redacted
  CHECK(output.find("secret") == std::string::npos);
}

TEST_CASE("keel-worker with MAIL_TRANSPORT=log writes the message, link included, to its log",
          "[mail]") {
  app_database db;
  keel::test::process worker(
      keel::test::binary("keel-worker"), {},
      {{"DATABASE_URL", db.url}, {"MAIL_TRANSPORT", "log"}, {"WORKER_POLL_INTERVAL", "250ms"}});
  auto to = keel::test::unique_address();
  auto id = db.queue(verify_email(to));
  CHECK(eventually(
      [&] { return db.scalar("SELECT status FROM mail_messages WHERE id = $1", id) == "sent"; },
      15s));
  stop(worker);
  auto output = worker.output();
  INFO(output);
  CHECK(output.find("development transport") != std::string::npos);
  CHECK(output.find("https://app.example.com/verify?token=e2e-token-42") != std::string::npos);
  CHECK(keel::test::received_for(to).empty());
}

TEST_CASE("keel-worker refuses an SMTP_URL that is not smtp:// and exits 2", "[mail]") {
  keel::test::process worker(keel::test::binary("keel-worker"), {},
                             {{"DATABASE_URL", keel::test::fresh_database()},
                              {"MAIL_TRANSPORT", "smtp"},
                              {"SMTP_URL", "https://user:hunter2@mail.example.com"}});
  auto status = worker.wait(10s);
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(worker.output().find("SMTP_URL must start with smtp://") != std::string::npos);
  CHECK(worker.output().find("hunter2") == std::string::npos);
}
