// Constructors of the typed errors.
#include "core/runtime/error.hpp"

namespace keel {

error::error(error_kind kind, std::string code, std::string detail)
    : std::runtime_error(detail), kind_(kind), code_(std::move(code)), detail_(std::move(detail)) {}

bad_request::bad_request(std::string detail, std::string code)
    : error(error_kind::bad_request, std::move(code), std::move(detail)) {}

unauthorized::unauthorized(std::string detail, std::string code)
    : error(error_kind::unauthorized, std::move(code), std::move(detail)) {}

forbidden::forbidden(std::string detail, std::string code)
    : error(error_kind::forbidden, std::move(code), std::move(detail)) {}

not_found::not_found(std::string detail, std::string code)
    : error(error_kind::not_found, std::move(code), std::move(detail)) {}

conflict::conflict(std::string detail, std::string code)
    : error(error_kind::conflict, std::move(code), std::move(detail)) {}

gone::gone(std::string detail, std::string code)
    : error(error_kind::gone, std::move(code), std::move(detail)) {}

precondition_failed::precondition_failed(std::string detail, std::string code)
    : error(error_kind::precondition_failed, std::move(code), std::move(detail)) {}

validation_failed::validation_failed(std::vector<field_error> errors)
    : error(error_kind::validation_failed, "validation_failed",
            "The request does not satisfy the contract; see errors.") {
  field_errors_ = std::move(errors);
}

too_many_requests::too_many_requests(int retry_after_seconds, std::string detail, std::string code)
    : error(error_kind::too_many_requests, std::move(code), std::move(detail)) {
  retry_after_seconds_ = retry_after_seconds;
}

unavailable::unavailable(std::string detail, std::string code,
                         std::optional<int> retry_after_seconds)
    : error(error_kind::unavailable, std::move(code), std::move(detail)) {
  retry_after_seconds_ = retry_after_seconds;
}

}  // namespace keel
