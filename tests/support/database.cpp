// Fresh test databases through blocking libpq (tests are not event loops) and pg.sh control.
#include "tests/support/database.hpp"

#include <libpq-fe.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>

namespace keel::test {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string random_suffix() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : bytes) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 0x0f]);
  }
  return s;
}

std::string quote_identifier(PGconn* c, const std::string& name) {
  char* quoted = PQescapeIdentifier(c, name.c_str(), name.size());
  if (quoted == nullptr) throw std::runtime_error(PQerrorMessage(c));
  std::string s = quoted;
  PQfreemem(quoted);
  return s;
}

void run_pg_sh(const char* action) {
  const char* name = std::getenv("KEEL_TEST_PG_NAME");
  if (name == nullptr || *name == '\0') {
    throw std::runtime_error("KEEL_TEST_PG_NAME is not set: which cluster should pg.sh " +
                             std::string(action) + "?");
  }
  std::string command =
      std::string(KEEL_SOURCE_DIR "/deploy/local/pg.sh ") + action + " " + name + " >/dev/null";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("pg.sh " + std::string(action) + " failed");
  }
}

}  // namespace

url_parts parts_of(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (options == nullptr) {
    std::string message = err ? err : "cannot parse the URL";
    PQfreemem(err);
    throw std::runtime_error("a PostgreSQL URL of the tests: " + message);
  }
  url_parts parts;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    std::string key = o->keyword;
    std::string value = o->val ? o->val : "";
    if (key == "host" || (key == "hostaddr" && parts.host.empty())) parts.host = value;
    if (key == "port") parts.port = value;
    if (key == "user") parts.user = value;
    if (key == "password") parts.password = value;
    if (key == "dbname") parts.dbname = value;
  }
  PQconninfoFree(options);
  if (parts.host.empty()) parts.host = "127.0.0.1";
  return parts;
}

std::string with_database(const std::string& url, const std::string& dbname) {
  auto parts = parts_of(url);
  std::string out = "postgresql://";
  if (!parts.user.empty()) {
    out += parts.user + (parts.password.empty() ? "" : ":" + parts.password) + "@";
  }
  out += parts.host;
  if (!parts.port.empty()) out += ":" + parts.port;
  return out + "/" + dbname;
}

std::string admin_url() {
  return env_or("KEEL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:55432/postgres");
}

std::string fresh_database() {
  return database_from(env_or("KEEL_TEST_TEMPLATE_DB", "keel_template"));
}

std::string empty_database() {
  return database_from("template0");
}

std::string database_from(const std::string& template_name) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string admin = admin_url();
  std::string name = "keel_t_" + random_suffix();

  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(admin.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to KEEL_TEST_PG_URL: " +
                             std::string(PQerrorMessage(c.get())));
  }
  std::string sql = "create database " + quote_identifier(c.get(), name) + " template " +
                    quote_identifier(c.get(), template_name);
  // Cloning fails while anyone else is connected to the template (another test cloning it
  // at this very moment holds no connection, but a tool or a migrator might): retry briefly.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) break;
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    if (attempt < 50 && state && std::string_view(state) == "55006") {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    throw std::runtime_error("creating the test database failed: " +
                             std::string(PQerrorMessage(c.get())));
  }
  return with_database(admin, name);
}

void stop_postgres() {
  run_pg_sh("stop");
}
void start_postgres() {
  run_pg_sh("start");
}

}  // namespace keel::test
