// The coroutine type every asynchronous keel function returns.
#pragma once
#include <boost/asio/awaitable.hpp>

namespace keel {

// Only the awaitable header is pulled in here, not the rest of Asio, so that
// feature code can be asynchronous without paying for Asio in every build.
template <class T = void>
using async = boost::asio::awaitable<T>;

}  // namespace keel
