// Every DTO a client sends, decoded and validated the way an endpoint binding reads it: JSON
// bodies through http::detail::read_body, query DTOs through read_query. The first input byte
// picks the DTO, the rest is the body or the query string. A body that decodes must encode to
// JSON that decodes again to the same value: what keel accepts, it can also say back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "core/audit/dto.hpp"
#include "core/auth/dto.hpp"
#include "core/catalog/dto.hpp"
#include "core/http/endpoint.hpp"
#include "core/jobs/dto.hpp"
#include "core/realtime/dto.hpp"
#include "core/rules/dto.hpp"
#include "core/runtime/error.hpp"
#include "core/uploads/dto.hpp"
#include "core/web_vitals/dto.hpp"

namespace {

namespace http = keel::http;

std::optional<std::string_view> json_content(const void*, std::string_view name) {
  if (name == "Content-Type" || name == "content-type") return "application/json";
  return std::nullopt;
}

template <class B>
void body(std::string_view text) {
  http::request req(http::method::post, "/", text, nullptr, &json_content);
  auto decoded = http::detail::read_body<B>(req);
  auto json = keel::dto::encode(decoded);
  if (keel::dto::encode(keel::dto::decode<B>(json)) != json) std::abort();
}

template <class Q>
void query(std::string_view text) {
  std::string target = "/?" + std::string(text);
  http::request req(http::method::get, target, "", nullptr, &json_content);
  (void)http::detail::read_query<Q>(req);
}

void vitals(std::string_view text) {
  (void)keel::web_vitals::decode_reports(keel::dto::parse_json(text));
}

using reader = void (*)(std::string_view);

// Every request DTO of keel-api's routes, feature by feature.
constexpr reader readers[] = {
    body<keel::auth::register_body>,        body<keel::auth::login_body>,
    body<keel::auth::refresh_body>,         body<keel::auth::email_body>,
    body<keel::auth::otp_request_body>,     body<keel::auth::otp_verify_body>,
    body<keel::auth::token_body>,           body<keel::auth::password_reset_body>,
    body<keel::auth::password_change_body>, body<keel::auth::email_change_body>,
    body<keel::auth::user_patch>,           query<keel::auth::user_list_query>,
    body<keel::rulebook::draft_body>,       body<keel::rulebook::publish_body>,
    body<keel::rulebook::patch_body>,       body<keel::rulebook::stakeholder_body>,
    body<keel::rulebook::accept_body>,      query<keel::rulebook::rule_query>,
    query<keel::rulebook::my_rule_query>,   body<keel::uploads::create_body>,
    query<keel::uploads::list_query>,       query<keel::catalog::template_query>,
    query<keel::catalog::method_query>,     query<keel::jobs::list_query>,
    query<keel::audit::list_query>,         query<keel::realtime::socket_query>,
    query<keel::realtime::stream_query>,    vitals,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  reader read = readers[data[0] % std::size(readers)];
  try {
    read({reinterpret_cast<const char*>(data) + 1, size - 1});
  } catch (const keel::error&) {
    // 400, 415 or 422: what the client is told. Anything else escapes and is a finding.
  }
  return 0;
}
