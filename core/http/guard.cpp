// Enforcing a route's access rule and rate limits, through the hooks the program wired in.
#include "core/http/guard.hpp"

#include <stdexcept>

#include "core/http/request.hpp"
#include "core/runtime/error.hpp"

namespace keel::http {

void guard::add_limits(const std::vector<ratelimit::rule>& table) {
  for (const auto& rule : table) {
    if (find_limit(rule.name) != nullptr) {
      throw std::logic_error("the rate limit \"" + rule.name + "\" is declared twice");
    }
    limits.push_back(rule);
  }
}

const ratelimit::rule* guard::find_limit(std::string_view name) const {
  for (const auto& rule : limits) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

namespace detail {
namespace {

// router::check() has made sure at start-up that what a route declares is wired; a request
// reaching this without it is a test or a program that skipped the check.
const guard& guard_of(const request& req) {
  if (req.guard() == nullptr) throw std::logic_error("a guarded route ran without a guard");
  return *req.guard();
}

}  // namespace

async<std::optional<principal>> admit(const request& req, access rule) {
  if (rule == access::none) co_return std::nullopt;
  std::optional<std::string_view> header = req.header("Authorization");
  if (rule == access::user_if_sent && (!header || header->empty())) co_return std::nullopt;
  const guard& g = guard_of(req);
  if (g.authenticate == nullptr) throw std::logic_error("no authenticator is wired");
  std::string authorization(header.value_or(""));
  principal who = co_await g.authenticate->authenticate(authorization);
  if (rule == access::admin && !who.is_admin()) {
    throw forbidden("This needs the admin role.", "admin_required");
  }
  co_return who;
}

async<void> count(request& req, const std::vector<limit_use>& uses,
                  const std::vector<std::optional<std::string>>& keys) {
  const guard& g = guard_of(req);
  if (!g.count_limits) co_return;
  if (g.limiter == nullptr) throw std::logic_error("no rate limiter is wired");
  std::optional<ratelimit::decision> tightest;
  for (std::size_t i = 0; i < uses.size(); ++i) {
    if (!keys[i]) continue;
    const ratelimit::rule* rule = g.find_limit(uses[i].limit);
    if (rule == nullptr) throw std::logic_error("unknown rate limit " + uses[i].limit);
    // Every limit counts the hit, refused or not, so no limit can be dodged by tripping another.
    ratelimit::decision d = co_await g.limiter->hit(*rule, *keys[i]);
    if (!tightest || !d.allowed || (tightest->allowed && d.remaining < tightest->remaining)) {
      tightest = d;
    }
  }
  if (!tightest) co_return;
  for (auto& [name, value] : ratelimit::headers(*tightest)) {
    // Retry-After comes with the 429 problem itself.
    if (name != "Retry-After") req.add_response_header(std::move(name), std::move(value));
  }
  if (!tightest->allowed) throw too_many_requests(static_cast<int>(tightest->reset.count()));
}

}  // namespace detail
}  // namespace keel::http
