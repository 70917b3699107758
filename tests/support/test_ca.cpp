// Making a test CA and a server certificate with the openssl command.
#include "tests/support/test_ca.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "tests/support/process.hpp"

namespace keel::test {
namespace {

void openssl(std::vector<std::string> args) {
  process p("/usr/bin/openssl", std::move(args), {});
  auto status = p.wait(std::chrono::seconds(30));
  if (!status || *status != 0) throw std::runtime_error("openssl failed: " + p.output());
}

}  // namespace

test_ca::test_ca() {
  std::string pattern = (std::filesystem::temp_directory_path() / "keel-ca-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  ca_file_ = dir_ + "/ca.pem";
  cert_file_ = dir_ + "/server.pem";
  key_file_ = dir_ + "/server.key";
  const std::string ca_key = dir_ + "/ca.key";
  const std::string request = dir_ + "/server.csr";
  const std::string extensions = dir_ + "/server.ext";
  std::ofstream(extensions) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                               "basicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n";
  const std::vector<std::string> new_key{"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
  std::vector<std::string> make_ca{"req", "-x509"};
  make_ca.insert(make_ca.end(), new_key.begin(), new_key.end());
  make_ca.insert(make_ca.end(),
                 {"-keyout", ca_key, "-out", ca_file_, "-days", "2", "-subj", "/CN=keel test CA"});
  openssl(make_ca);
  std::vector<std::string> make_request{"req", "-new"};
  make_request.insert(make_request.end(), new_key.begin(), new_key.end());
  make_request.insert(make_request.end(),
                      {"-keyout", key_file_, "-out", request, "-subj", "/CN=localhost"});
  openssl(make_request);
  openssl({"x509", "-req", "-in", request, "-CA", ca_file_, "-CAkey", ca_key, "-CAcreateserial",
           "-out", cert_file_, "-days", "2", "-extfile", extensions});
}

test_ca::~test_ca() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace keel::test
