// A small blocking HTTP/1.1 client over a real socket, for end-to-end tests.
#pragma once
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::test {

struct http_response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& lower_case_name) const;
  bool has_header(const std::string& lower_case_name) const;
  boost::json::value json() const;  // throws when the body is not JSON
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection to 127.0.0.1:port.
class http_client {
 public:
  explicit http_client(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  http_response request(std::string_view method, std::string_view target,
                        const header_list& headers = {}, std::string_view body = {});
  http_response get(std::string_view target, const header_list& headers = {}) {
    return request("GET", target, headers);
  }

  void send_raw(std::string_view bytes);  // for malformed and slow requests
  // Reads one response; nullopt when the peer closed first or nothing came in time.
  std::optional<http_response> read_response();
  // True when the server closes the connection within `within`.
  bool closed_by_peer(std::chrono::milliseconds within);

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
http_response http_request(int port, std::string_view method, std::string_view target,
                           const header_list& headers = {}, std::string_view body = {});

}  // namespace keel::test
