// Mail against a real PostgreSQL and a real SMTP server on loopback (deploy/local/smtp_sink.py):
// queueing with the business transaction, SMTP delivery, and email.send sending only once.
#include <sodium.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "core/db/pool.hpp"
#include "core/jobs/registry.hpp"
#include "core/mail/format.hpp"
#include "core/mail/send_job.hpp"
#include "core/mail/service.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/error.hpp"
#include "core/runtime/event_loops.hpp"
#include "tests/support/async.hpp"
#include "tests/support/database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_sink.hpp"

using namespace std::chrono_literals;
namespace db = keel::db;
namespace jobs = keel::jobs;
namespace mail = keel::mail;
using keel::async;
using keel::uuid;
using keel::test::run_async;

namespace {

const mail::mailbox from{"keel tests", "no-reply@keel.test"};

mail::message welcome(std::string to) {
  return {
      .to = std::move(to),
      .subject = "Bienvenue, Zoë",
      .text = "Hello,\nconfirm your address: https://app.example.com/verify?token=abc=123\n",
      .html = "<p>Hello, <a href=\"https://app.example.com/verify?token=abc=123\">confirm</a></p>",
      .reply_to = "support@keel.test",
      .purpose = "auth.verify_email"};
}

std::unique_ptr<mail::transport> smtp(std::string url = keel::test::smtp_sink_url()) {
  return mail::make_smtp_transport({.url = std::move(url), .from = from});
}

// A message as the database would hand it to a transport, without a database.
mail::stored_message unsaved(mail::message m) {
  mail::stored_message s;
  randombytes_buf(s.id.bytes.data(), s.id.bytes.size());
  s.content = std::move(m);
  s.created_at = keel::now();
  return s;
}

// The delivery_error a send throws; fails the test when it succeeds or throws anything else.
mail::delivery_error failed_send(keel::runtime::event_loops& loops, mail::transport& t,
                                 const mail::stored_message& m) {
  try {
    run_async(loops, [&]() -> async<void> { co_await t.send(m); });
  } catch (const mail::delivery_error& e) {
    return e;
  }
  FAIL("the send did not fail with a delivery_error");
  throw std::logic_error("unreachable");
}

// A test database, a pool on one loop and the email.send kind delivering to the sink.
struct mail_fixture {
  keel::runtime::event_loops loops{1};
  db::pool pool;
  jobs::registry kinds;

  mail_fixture() : pool(loops, pool_options()) { mail::add_send_job(kinds, pool, smtp()); }

  static db::pool_options pool_options() {
    db::pool_options o;
    o.url = keel::test::fresh_database();
    o.size = 2;
    o.application_name = "keel_mail_test";
    return o;
  }

  // queue() in a transaction that commits (or is rolled back).
  uuid queue(const mail::message& m, bool commit = true) {
    return run_async(loops, [&]() -> async<uuid> {
      auto tx = co_await pool.begin();
      auto id = co_await mail::queue(tx, m);
      if (commit) {
        co_await tx.commit();
      } else {
        co_await tx.rollback();
      }
      co_return id;
    });
  }

  // Runs the registered email.send handler as the worker would, for attempt `attempt`.
  void run_send_job(const uuid& id, int attempt = 1) {
    jobs::job_context ctx;
    ctx.kind = "email.send";
    ctx.attempt = attempt;
    ctx.max_attempts = 20;
    boost::json::value payload = {{"message_id", id.str()}};
    const jobs::kind* kind = kinds.find("email.send");
    REQUIRE(kind != nullptr);
    run_async(loops, [&]() -> async<void> { co_await kind->run(payload, ctx); });
  }

  std::int64_t count(std::string_view sql) {
    return run_async(loops, [&]() -> async<std::int64_t> {
      auto rows = co_await pool.execute(sql, {});
      co_return rows[0].get<std::int64_t>(0);
    });
  }

  // email.send jobs on the mail queue whose payload names message `id`.
  std::int64_t jobs_for(const uuid& id) {
    return run_async(loops, [&]() -> async<std::int64_t> {
      auto rows = co_await pool.query(R"sql(
          SELECT count(*) FROM jobs
           WHERE kind = 'email.send' AND queue = 'mail' AND payload->>'message_id' = $1
      )sql",
                                      id.str());
      co_return rows[0].get<std::int64_t>(0);
    });
  }

  // status, attempts, last_error of one message.
  std::tuple<std::string, int, std::string> state_of(const uuid& id) {
    return run_async(loops, [&]() -> async<std::tuple<std::string, int, std::string>> {
      auto rows = co_await pool.query(
          "SELECT status, attempts, coalesce(last_error, '') FROM mail_messages WHERE id = $1", id);
      co_return std::tuple{rows[0].get<std::string>(0), rows[0].get<std::int32_t>(1),
                           rows[0].get<std::string>(2)};
    });
  }

  void execute(std::string_view sql, const uuid& id) {
    run_async(loops, [&]() -> async<void> { co_await pool.query(sql, id); });
  }
};

}  // namespace

TEST_CASE("the SMTP transport delivers a multipart message that reads back intact", "[mail]") {
  keel::runtime::event_loops loops(1);
  auto transport = smtp();
  auto to = keel::test::unique_address();
  auto m = unsaved(welcome(to));
  run_async(loops, [&]() -> async<void> { co_await transport->send(m); });

  auto got = keel::test::wait_for_mail(to);
  REQUIRE(got.size() == 1);
  const auto& r = got[0];
  CHECK(r.mail_from == "no-reply@keel.test");
  CHECK(r.header("To") == to);
  CHECK(r.header("From") == "keel tests <no-reply@keel.test>");
  CHECK(r.header("Reply-To") == "support@keel.test");
  CHECK(r.header("Subject") == mail::encode_header_text("Bienvenue, Zoë", 7));
  CHECK(r.header("Message-ID") == mail::message_id(m.id, "no-reply@keel.test"));
  CHECK(r.header("Content-Type").rfind("multipart/alternative;", 0) == 0);
  auto body = keel::test::decode_quoted_printable(r.body());
  CHECK(body.find("confirm your address: https://app.example.com/verify?token=abc=123\r\n") !=
        std::string::npos);
  CHECK(body.find("<a href=\"https://app.example.com/verify?token=abc=123\">") !=
        std::string::npos);
}

TEST_CASE("SMTP credentials from the URL authenticate, and wrong ones fail without being echoed",
          "[mail]") {
  keel::runtime::event_loops loops(1);
  auto to = keel::test::unique_address();
  auto good = smtp(keel::test::smtp_sink_url("keel:secret"));
  run_async(loops, [&]() -> async<void> { co_await good->send(unsaved(welcome(to))); });
  CHECK(keel::test::wait_for_mail(to).size() == 1);

  auto bad = smtp(keel::test::smtp_sink_url("keel:not-the-password"));
  auto error = failed_send(loops, *bad, unsaved(welcome(to)));
  std::string what = error.what();
  INFO(what);
  CHECK_FALSE(error.permanent());  // ops can fix the credentials and the job carries on
  CHECK(what.find("not-the-password") == std::string::npos);
  CHECK(what.find("127.0.0.1:" + std::to_string(keel::test::smtp_sink_port())) !=
        std::string::npos);
}

TEST_CASE("an unreachable SMTP server fails with a clear, retryable error", "[mail]") {
  keel::runtime::event_loops loops(1);
  int port = keel::test::free_port();
  auto transport = smtp("smtp://keel:secret@127.0.0.1:" + std::to_string(port));
  auto started = std::chrono::steady_clock::now();
  auto error = failed_send(loops, *transport, unsaved(welcome(keel::test::unique_address())));
  std::string what = error.what();
  INFO(what);
  CHECK_FALSE(error.permanent());
  CHECK(what.find("SMTP delivery via smtp://127.0.0.1:" + std::to_string(port) + " failed") == 0);
  CHECK(what.find("connect") != std::string::npos);
  CHECK(what.find("secret") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a recipient the SMTP server refuses is a permanent failure", "[mail]") {
  keel::runtime::event_loops loops(1);
  auto transport = smtp();
  auto error = failed_send(loops, *transport, unsaved(welcome("reject-me@example.com")));
  INFO(error.what());
  CHECK(error.permanent());
  CHECK(std::string(error.what()).find("550") != std::string::npos);
}

TEST_CASE("an SMTP_URL that is not smtp:// or smtps:// is refused at start", "[mail]") {
  CHECK_THROWS_AS(smtp("http://127.0.0.1:25"), std::invalid_argument);
  CHECK_THROWS_AS(smtp("not a url"), std::invalid_argument);
  try {
    smtp("https://user:hunter2@mail.example.com");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
}

TEST_CASE("queue() in a rolled-back transaction leaves neither a message nor a job", "[mail]") {
  mail_fixture f;
  f.queue(welcome(keel::test::unique_address()), false);
  CHECK(f.count("SELECT count(*) FROM mail_messages") == 0);
  CHECK(f.count("SELECT count(*) FROM jobs") == 0);
}

TEST_CASE("queue() in a committed transaction stores the message and one email.send job",
          "[mail]") {
  mail_fixture f;
  auto id = f.queue(welcome(keel::test::unique_address()));
  CHECK(f.state_of(id) == std::tuple{std::string("queued"), 0, std::string()});
  CHECK(f.jobs_for(id) == 1);
}

TEST_CASE("queue() refuses addresses and subjects that would inject headers", "[mail]") {
  mail_fixture f;
  auto bad = welcome("ada@example.com\r\nBcc: everyone@example.com");
  bad.subject = "Hello\r\nBcc: everyone@example.com";
  bad.purpose = "Not A Purpose";
  try {
    f.queue(bad);
    FAIL("queue() accepted the message");
  } catch (const keel::validation_failed& e) {
    std::vector<std::string> fields;
    for (const auto& fe : e.field_errors()) fields.push_back(fe.field);
    CHECK(fields == std::vector<std::string>{"to", "subject", "purpose"});
  }
  CHECK(f.count("SELECT count(*) FROM mail_messages") == 0);
}

TEST_CASE("email.send delivers once, and a retried job for a sent message sends nothing",
          "[mail]") {
  mail_fixture f;
  auto to = keel::test::unique_address();
  auto id = f.queue(welcome(to));
  f.run_send_job(id);
  auto got = keel::test::wait_for_mail(to);
  REQUIRE(got.size() == 1);
  CHECK(got[0].header("Message-ID") == mail::message_id(id, "no-reply@keel.test"));
  CHECK(f.state_of(id) == std::tuple{std::string("sent"), 1, std::string()});

  f.run_send_job(id, 2);  // as after a crash between "sent" and the job's completion
  std::this_thread::sleep_for(300ms);
  CHECK(keel::test::received_for(to).size() == 1);
  CHECK(f.state_of(id) == std::tuple{std::string("sent"), 1, std::string()});
}

TEST_CASE("email.send refused by the server discards the job and records why", "[mail]") {
  mail_fixture f;
  auto id = f.queue(welcome("reject-" + keel::test::unique_address()));
  CHECK_THROWS_AS(f.run_send_job(id), jobs::permanent_failure);
  auto [status, attempts, error] = f.state_of(id);
  CHECK(status == "failed");
  CHECK(attempts == 1);
  CHECK(error.find("550") != std::string::npos);
}

TEST_CASE(
    "email.send waits while an earlier attempt may still be sending, then resends with the "
    "same Message-ID",
    "[mail]") {
  mail_fixture f;
  auto to = keel::test::unique_address();
  auto id = f.queue(welcome(to));
  // An attempt that began a moment ago and has not ended (or died without a trace).
  f.execute(
      "UPDATE mail_messages SET status = 'sending', sending_at = now(), attempts = 1 "
      "WHERE id = $1",
      id);
  try {
    f.run_send_job(id, 2);
    FAIL("email.send ran while another attempt may be sending");
  } catch (const mail::delivery_error& e) {
    CHECK_FALSE(e.permanent());
    CHECK(std::string(e.what()).find("may still be running") != std::string::npos);
  }
  CHECK(keel::test::received_for(to).empty());

  // Long enough ago that the attempt has certainly ended: it died, so send again.
  f.execute("UPDATE mail_messages SET sending_at = now() - interval '10 minutes' WHERE id = $1",
            id);
  f.run_send_job(id, 3);
  auto got = keel::test::wait_for_mail(to);
  REQUIRE(got.size() == 1);
  CHECK(got[0].header("Message-ID") == mail::message_id(id, "no-reply@keel.test"));
  CHECK(f.state_of(id) == std::tuple{std::string("sent"), 2, std::string()});
}

TEST_CASE("email.send with a payload that names no message is discarded at once", "[mail]") {
  mail_fixture f;
  jobs::job_context ctx;
  const jobs::kind* kind = f.kinds.find("email.send");
  REQUIRE(kind != nullptr);
  for (auto payload :
       {boost::json::value{{"message_id", "nope"}}, boost::json::value(nullptr),
        boost::json::value{{"message_id", "0190c5a4-7b3e-7c2d-9a1b-0123456789ab"}}}) {
    CHECK_THROWS_AS(run_async(f.loops, [&]() -> async<void> { co_await kind->run(payload, ctx); }),
                    jobs::permanent_failure);
  }
}
