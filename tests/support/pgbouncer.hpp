// PgBouncer (Debian's pgbouncer) on a free loopback port in front of the test PostgreSQL, in
// transaction pooling as a deployment with many instances has it. Stopped by its PID when
// destroyed.
#pragma once
#include <memory>
#include <string>

#include "process.hpp"

namespace keel::test {

class pgbouncer {
 public:
  // `pool_size`: server connections per database and user, shared by every client.
  explicit pgbouncer(int pool_size = 8);
  ~pgbouncer();
  pgbouncer(const pgbouncer&) = delete;
  pgbouncer& operator=(const pgbouncer&) = delete;

  int port() const { return port_; }
  // The URL of `database_url`'s database through PgBouncer (same user and database name).
  std::string url_for(const std::string& database_url) const;

 private:
  int port_ = 0;
  std::string dir_;
  std::unique_ptr<process> process_;
};

}  // namespace keel::test
