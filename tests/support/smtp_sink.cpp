// Reading the SMTP sink's folder: one file per message, envelope lines first.
#include "tests/support/smtp_sink.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace keel::test {
namespace {

std::string required_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through deploy/local/test.sh, which "
                             "starts the SMTP sink");
  }
  return v;
}

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The header block of `data`, unfolded: one header per element, "Name: value".
std::vector<std::string> headers_of(std::string_view data) {
  std::vector<std::string> headers;
  std::size_t start = 0;
  while (start < data.size()) {
    auto end = data.find("\r\n", start);
    if (end == std::string_view::npos) end = data.size();
    auto line = data.substr(start, end - start);
    start = end + 2;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !headers.empty()) {
      headers.back() += std::string(line);
    } else {
      headers.emplace_back(line);
    }
  }
  return headers;
}

received_mail read_mail(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  received_mail m;
  m.file = path.string();
  // The sink's two envelope lines, then the DATA.
  for (int i = 0; i < 2; ++i) {
    auto end = text.find("\r\n");
    if (end == std::string::npos) break;
    std::string line = text.substr(0, end);
    text.erase(0, end + 2);
    if (line.rfind("X-Sink-Mail-From: ", 0) == 0) m.mail_from = line.substr(18);
    if (line.rfind("X-Sink-Rcpt-To: ", 0) == 0) m.rcpt_to = line.substr(16);
  }
  m.data = std::move(text);
  return m;
}

}  // namespace

std::string received_mail::header(std::string_view name) const {
  for (const auto& h : headers_of(data)) {
    auto colon = h.find(':');
    if (colon != std::string::npos && same_text(std::string_view(h).substr(0, colon), name)) {
      auto value = h.substr(colon + 1);
      return value.empty() || value[0] != ' ' ? value : value.substr(1);
    }
  }
  return "";
}

std::string received_mail::body() const {
  auto end = data.find("\r\n\r\n");
  return end == std::string::npos ? "" : data.substr(end + 4);
}

int smtp_sink_port() {
  return std::stoi(required_env("KEEL_TEST_SMTP_PORT"));
}

std::string smtp_sink_dir() {
  return required_env("KEEL_TEST_SMTP_DIR");
}

std::string smtp_sink_url(std::string_view userinfo) {
  std::string auth = userinfo.empty() ? "" : std::string(userinfo) + "@";
  return "smtp://" + auth + "127.0.0.1:" + std::to_string(smtp_sink_port());
}

std::string unique_address() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  return "t" + std::to_string(randombytes_uniform(1u << 31)) + "." +
         std::to_string(randombytes_uniform(1u << 31)) + "@example.com";
}

std::vector<received_mail> received_for(std::string_view to) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(smtp_sink_dir())) {
    auto name = entry.path().filename().string();
    // ".part" files are still being written.
    if (entry.is_regular_file() && name.size() > 4 && name.ends_with(".eml") && name[0] != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<received_mail> out;
  for (const auto& f : files) {
    auto m = read_mail(f);
    if (m.rcpt_to == to) out.push_back(std::move(m));
  }
  return out;
}

std::vector<received_mail> wait_for_mail(std::string_view to, std::size_t count,
                                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto found = received_for(to);
    if (found.size() >= count || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string decode_quoted_printable(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // a soft line break
    } else if (i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace keel::test
