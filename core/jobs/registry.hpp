// Job kinds: the handler that runs each kind, and what a handler is told about its job.
#pragma once
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/async.hpp"
#include "core/runtime/uuid.hpp"

namespace keel::jobs {

// Why a running job is asked to stop.
enum class stop_reason { none, cancelled, timed_out, shutting_down };

class job_context;
namespace detail {
// The runner's way to tell a handler to stop (the reason is read-only to handlers).
void set_stop_reason(job_context& ctx, stop_reason why);
}  // namespace detail

// What a handler knows about the job it runs. Handlers are idempotent: an attempt may be cut
// short by a crash and run again.
class job_context {
 public:
  uuid id;
  std::string kind;
  std::string queue;
  int attempt = 0;  // 1 on the first run
  int max_attempts = 0;
  std::optional<std::string> request_id;  // of the HTTP request that enqueued the job
  // This attempt's span (W3C traceparent), in the trace of what enqueued the job: what the
  // jobs a handler enqueues carry on (enqueue_options::traceparent, jobs::cause).
  std::string traceparent;

  // True once the job was cancelled, ran past its kind's timeout or the worker is stopping.
  // A long handler checks between steps and returns (or throws) when it is set; a handler
  // waiting on an Asio operation is woken with operation_aborted at the same moment.
  bool cancelled() const { return reason_ != stop_reason::none; }
  stop_reason reason() const { return reason_; }

 private:
  friend void detail::set_stop_reason(job_context& ctx, stop_reason why);
  stop_reason reason_ = stop_reason::none;
};

// Thrown by a handler when retrying cannot help (a malformed payload, a recipient that does
// not exist): the job is discarded at once with this message.
class permanent_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returning completes the job; throwing fails the attempt (retried with backoff).
using handler = std::function<async<void>(const boost::json::value& payload, job_context& ctx)>;

struct kind_options {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};       // then the attempt fails
  std::chrono::milliseconds backoff_base{std::chrono::seconds(1)};  // the first retry's delay
  std::chrono::milliseconds backoff_cap{std::chrono::hours(1)};     // no retry waits longer
};

struct kind {
  std::string name;
  jobs::handler run;
  kind_options options;
};

class registry {
 public:
  // `name` is area.verb ("email.send"). Throws std::logic_error when it is taken.
  void add(std::string name, handler run, kind_options options = {});
  const kind* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, kind, std::less<>> kinds_;
};

// The wait before retrying after failed attempt `attempt` (1-based): base * 2^(attempt-1),
// at most the cap, with "equal jitter" (between half and all of it) so that jobs that failed
// together do not retry together.
std::chrono::milliseconds retry_delay(const kind_options& options, int attempt);

}  // namespace keel::jobs
