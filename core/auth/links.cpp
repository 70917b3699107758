// Single-use emailed links: the token row and the message, written in the caller's transaction.
#include "core/auth/detail/links.hpp"

#include "core/auth/secrets.hpp"
#include "core/auth/store.hpp"
#include "core/db/pool.hpp"
#include "core/mail/service.hpp"

namespace keel::auth::detail {
namespace {

mail::message link_mail(const link_kind& kind, const std::string& to, const std::string& link) {
  auto hours = kind.ttl.count() / 3600;
  return {
      .to = to,
      .subject = std::string(kind.subject),
      .text = std::string(kind.sentence) + ":\n\n" + link +
              "\n\nThe link works once and expires in " + std::to_string(hours) +
              (hours == 1 ? " hour" : " hours") +
              ". If you did not ask for it, ignore this email.\n",
      .html = std::nullopt,
      .reply_to = std::nullopt,
      .purpose = "auth." + std::string(kind.purpose),
      .sensitive = true,
  };
}

std::string link_to(const link_kind& kind, const std::string& app_url, const std::string& token) {
  return app_url + std::string(kind.path) + "?token=" + token;
}

}  // namespace

async<void> send_link(db::transaction& tx, const user_view& user, const link_kind& kind,
                      const std::string& app_url, const jobs::cause& by) {
  std::string token = random_token(32);
  std::string token_hash = sha256_hex(token);
  std::int64_t ttl = kind.ttl.count();
  co_await store::insert_link_token(tx, token_hash, user.id, kind.purpose, ttl);
  mail::message m = link_mail(kind, user.email, link_to(kind, app_url, token));
  jobs::cause mail_cause = by;
  co_await mail::queue(tx, m, mail_cause);
}

async<void> send_email_change_link(db::transaction& tx, const user_view& user,
                                   const std::string& new_email, const std::string& app_url,
                                   const jobs::cause& by) {
  const link_kind& kind = change_email_link;
  std::string token = random_token(32);
  std::string token_hash = sha256_hex(token);
  std::int64_t ttl = kind.ttl.count();
  co_await store::insert_email_change_token(tx, token_hash, user.id, new_email, ttl);
  mail::message m = link_mail(kind, new_email, link_to(kind, app_url, token));
  jobs::cause mail_cause = by;
  co_await mail::queue(tx, m, mail_cause);
}

}  // namespace keel::auth::detail
