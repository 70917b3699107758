// A certificate authority a test makes for itself with openssl, and a server certificate it
// signed for 127.0.0.1 and localhost, in a temporary folder removed afterwards.
#pragma once
#include <string>

namespace keel::test {

class test_ca {
 public:
  test_ca();  // runs openssl; throws with its output when it fails
  ~test_ca();
  test_ca(const test_ca&) = delete;
  test_ca& operator=(const test_ca&) = delete;

  const std::string& ca_file() const { return ca_file_; }      // the CA's certificate (PEM)
  const std::string& cert_file() const { return cert_file_; }  // the server's, CA-signed
  const std::string& key_file() const { return key_file_; }    // the server's private key

 private:
  std::string dir_;
  std::string ca_file_;
  std::string cert_file_;
  std::string key_file_;
};

}  // namespace keel::test
