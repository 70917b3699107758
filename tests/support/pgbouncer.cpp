// Writing PgBouncer's configuration and starting it in the foreground as the postgres user.
#include "pgbouncer.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "database.hpp"

namespace keel::test {

pgbouncer::pgbouncer(int pool_size) : port_(free_port()) {
  // PgBouncer refuses to run as root: its files are the postgres user's, and so is the process.
  dir_ = "/tmp/keel-pgbouncer-" + std::to_string(::getpid()) + "-" + std::to_string(port_);
  std::filesystem::create_directories(dir_);
  auto server = parts_of(admin_url());
  std::ofstream(dir_ + "/users.txt") << "\"" << server.user << "\" \"\"\n";
  std::ofstream ini(dir_ + "/pgbouncer.ini");
  ini << "[databases]\n"
         "* = host="
      << server.host << " port=" << (server.port.empty() ? "5432" : server.port)
      << "\n"
         "[pgbouncer]\n"
         "listen_addr = 127.0.0.1\n"
         "listen_port = "
      << port_
      << "\n"
         "unix_socket_dir =\n"
         // The test cluster trusts loopback; PgBouncer still wants its users listed.
         "auth_type = trust\n"
         "auth_file = "
      << dir_
      << "/users.txt\n"
         "pool_mode = transaction\n"
         "default_pool_size = "
      << pool_size
      << "\n"
         "max_client_conn = 500\n"
         // libpq's and keel's startup parameters that transaction pooling cannot carry.
         "ignore_startup_parameters = extra_float_digits,options\n"
         "server_reset_query =\n"
         "log_connections = 0\n"
         "log_disconnections = 0\n";
  ini.close();
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
  // setpriv execs pgbouncer itself, so the PID the process holds is PgBouncer's.
  process_ = std::make_unique<process>(
      "/usr/bin/setpriv",
      std::vector<std::string>{"--reuid=postgres", "--regid=postgres", "--init-groups",
                               "/usr/sbin/pgbouncer", dir_ + "/pgbouncer.ini"},
      std::map<std::string, std::string>{});
  if (!wait_for_port(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("pgbouncer did not start:\n" + process_->output());
  }
}

pgbouncer::~pgbouncer() {
  process_.reset();
  std::filesystem::remove_all(dir_);
}

std::string pgbouncer::url_for(const std::string& database_url) const {
  auto parts = parts_of(database_url);
  return "postgresql://" + parts.user + "@127.0.0.1:" + std::to_string(port_) + "/" + parts.dbname;
}

}  // namespace keel::test
