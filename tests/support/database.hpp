// Test databases and control of the test PostgreSQL server.
#pragma once
#include <string>

namespace keel::test {

// The admin URL (KEEL_TEST_PG_URL, default postgresql://postgres@127.0.0.1:55432/postgres).
std::string admin_url();

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
