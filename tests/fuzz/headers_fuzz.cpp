// The request headers keel parses by hand: X-Forwarded-For behind 0-3 trusted proxies, Cookie,
// If-Match and If-None-Match (entity tags) and Authorization's scheme. The first byte picks the
// proxy hops; the rest is the header values, NUL-separated in that order. (keel reads no Range
// header from clients: it only sends one to the storage.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "core/auth/jwt.hpp"
#include "core/http/conditional.hpp"
#include "core/http/headers.hpp"
#include "core/http/request.hpp"

namespace {

using namespace keel::http;

// Whether `part` is a view into `whole`, as every parser here answers.
bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

struct headers {
  std::string_view if_none_match;
};

std::optional<std::string_view> lookup(const void* message, std::string_view name) {
  if (name != "If-None-Match") return std::nullopt;
  return static_cast<const headers*>(message)->if_none_match;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  int hops = data[0] % 4;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> value;
  for (std::size_t i = 0; i < 5; ++i) {
    auto nul = text.find('\0');
    value.push_back(text.substr(0, nul));
    text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
  }

  auto client = forwarded_client(value[0], hops);
  if (!inside(client, value[0]) || client.size() > 45) std::abort();
  if (hops == 0 && !client.empty()) std::abort();  // no proxy: the header is the client's word

  auto cookie = find_cookie(value[1], "keel_refresh");
  if (cookie && !inside(*cookie, value[1])) std::abort();

  if (auto version = version_of_etag(value[2])) {
    if (*version < 0) std::abort();
    // What keel writes for that version reads back as it.
    if (version_of_etag(etag_of_version(*version)) != version) std::abort();
  }

  headers h{value[3]};
  request req(method::get, "/", "", &h, &lookup);
  (void)not_modified(req, value[2]);
  if (!not_modified(req, "*") && value[3] == "*") std::abort();

  auto token = keel::auth::bearer_token(value[4]);
  if (token && (token->empty() || !inside(*token, value[4]))) std::abort();
  return 0;
}
