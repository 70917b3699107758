// Test databases and control of the test PostgreSQL server.
#pragma once
#include <string>

namespace keel::test {

// The admin URL (KEEL_TEST_PG_URL, default postgresql://postgres@127.0.0.1:55432/postgres).
std::string admin_url();

// The parts of a PostgreSQL URL the tests move between servers and databases.
struct url_parts {
  std::string host;  // 127.0.0.1 when the URL names none
  std::string port;  // empty: libpq's default
  std::string user;
  std::string password;
  std::string dbname;
};
url_parts parts_of(const std::string& url);
// The same server and credentials as `url`, another database.
std::string with_database(const std::string& url, const std::string& dbname);

// Creates keel_t_<random> from the template (KEEL_TEST_TEMPLATE_DB, default keel_template)
// and returns its URL: the admin URL's host, port and user with the new database name.
std::string fresh_database();

// A database with no schema at all (cloned from template0), for migration tests.
std::string empty_database();

// A new database cloned from `template_name`; its URL.
std::string database_from(const std::string& template_name);

// Stops / starts the test cluster named KEEL_TEST_PG_NAME with deploy/local/pg.sh
// (tests using these take the [serial] tag: they disturb every other test).
void stop_postgres();
void start_postgres();

}  // namespace keel::test
