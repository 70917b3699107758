// auth's sessions as the router's authenticator: routes declared user or admin get their caller
// from here, so core/http needs to know nothing of auth.
#pragma once
#include <string_view>

#include "core/auth/service.hpp"
#include "core/http/guard.hpp"

namespace keel::api {

class session_authenticator final : public http::authenticator {
 public:
  explicit session_authenticator(auth::service& auth) : auth_(auth) {}
  async<principal> authenticate(std::string_view authorization) override {
    return auth_.authenticate(authorization);
  }

 private:
  auth::service& auth_;
};

}  // namespace keel::api
