// Clients that hold on to keel-api's resources rather than sending bad bytes: a body that
// trickles in, a pipelining client that never reads its answers, ten thousand idle
// connections. Each is cut off or held to a bound, and everyone else is still served.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "../support/api_server.hpp"

using namespace keel::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// A socket to 127.0.0.1:port, connected (blocking connect), or -1.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closed `fd` (EOF or reset) within `within`, reading whatever it sent.
bool closed_within(int fd, std::chrono::milliseconds within) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  auto until = steady::now() + within;
  char buffer[4096];
  for (;;) {
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
    if (steady::now() >= until) return false;
    if (n < 0) std::this_thread::sleep_for(20ms);
  }
}

// How much keel-api's resident memory grew since `before`, in KiB (negative if it shrank).
long grown_since(api_server& api, std::size_t before) {
  return static_cast<long>(status_kib(api.proc().pid())) - static_cast<long>(before);
}

// /health on a fresh connection answers 200, and quickly, while the abuse goes on.
void expect_others_served(api_server& api) {
  auto started = steady::now();
  CHECK(api.get("/health").status == 200);
  CHECK(steady::now() - started < 1s);
}

}  // namespace

TEST_CASE("a body that trickles in is cut off at the body timeout while others are served") {
  api_server api(env_vars{{"HTTP_BODY_TIMEOUT", "1s"}});
  int fd = connect_to(api.port());
  REQUIRE(fd >= 0);
  std::string head =
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 4000\r\n\r\n{";
  REQUIRE(::send(fd, head.data(), head.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(head.size()));
  auto started = steady::now();
  bool closed = false;
  // One body byte every 200 ms: the connection is never idle, the body never complete.
  for (int i = 0; i < 25 && !closed; ++i) {
    if (::send(fd, " ", 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    expect_others_served(api);
    closed = closed_within(fd, 200ms);
  }
  ::close(fd);
  CHECK(closed);
  CHECK(steady::now() - started < 4s);
}

TEST_CASE(
    "a client that pipelines requests and never reads the answers holds keel-api's memory to a "
    "bound") {
  api_server api;
  int fd = connect_to(api.port());
  REQUIRE(fd >= 0);
  // The smallest receive buffer the kernel allows: the answers back up into keel-api at once.
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::size_t rss_before = status_kib(api.proc().pid());

  // Each answer (the OpenAPI document) is far larger than its request: without backpressure the
  // server would buffer gigabytes of answers for the megabytes sent.
  std::string request = "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string batch;
  for (int i = 0; i < 200; ++i) batch += request;
  std::size_t sent = 0;
  auto until = steady::now() + 5s;
  while (steady::now() < until) {
    auto n = ::send(fd, batch.data(), batch.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      break;  // the server closed the connection: also a bound
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  long grown = grown_since(api, rss_before);
  INFO("sent " << sent / 1024 << " KiB of requests; keel-api grew by " << grown << " KiB");
  CHECK(sent > 0);
  // keel reads the next request only once the answer before it is written: what it holds is
  // one answer and the socket buffers, not the backlog the client asked for.
  CHECK(grown < 32 * 1024);
  expect_others_served(api);
  ::close(fd);
}

TEST_CASE(
    "ten thousand idle connections cost little memory each, do not stop others being served, "
    "and are closed at the header timeout") {
  api_server api(env_vars{{"HTTP_HEADER_TIMEOUT", "3s"}});
  std::size_t rss_before = status_kib(api.proc().pid());
  constexpr int idle = 10000;
  std::vector<int> sockets;
  sockets.reserve(idle);
  for (int i = 0; i < idle; ++i) {
    int fd = connect_to(api.port());
    if (fd < 0) break;
    sockets.push_back(fd);
  }
  REQUIRE(sockets.size() == static_cast<std::size_t>(idle));
  expect_others_served(api);
  long grown = grown_since(api, rss_before);
  INFO("keel-api grew by " << grown << " KiB for " << idle << " idle connections");
  // About 7 KiB each in the debug build; the bound leaves room for the sanitizers' redzones
  // while still failing on a buffer held per connection.
  CHECK(grown < idle * 32L);

  // None of them sent a request: each is closed once its header timeout passes (the sweep that
  // enforces it runs about once a second).
  std::this_thread::sleep_for(3s);
  std::vector<int> open = sockets;
  auto until = steady::now() + 5s;
  while (!open.empty() && steady::now() < until) {
    std::erase_if(open, [](int fd) { return closed_within(fd, 0ms); });
    if (!open.empty()) std::this_thread::sleep_for(100ms);
  }
  for (int fd : sockets) ::close(fd);
  int closed = idle - static_cast<int>(open.size());
  CHECK(closed == idle);
  expect_others_served(api);
}
