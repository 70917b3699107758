// What keel-worker is made of, in the order each part is built: the shared context (its one
// event loop, the pool, metrics), the services its job kinds call, and the registry of kinds
// that main.cpp fills, each group handed what its kinds use.
#pragma once
#include <memory>

#include "core/jobs/registry.hpp"
#include "core/mail/transport.hpp"
#include "core/runtime/app_context.hpp"
#include "worker/settings.hpp"

namespace keel::worker {

class app : public runtime::app_context {
 public:
  // One loop: the runner's state lives on it without locks, and job handlers wait on the
  // database or the network rather than compute (CPU work belongs on a thread pool).
  explicit app(settings cfg);
  ~app();

  // Runs jobs until SIGTERM/SIGINT, then stops gracefully; the process's exit status.
  int run();

  settings cfg;
  std::shared_ptr<mail::transport> mail;  // MAIL_TRANSPORT: SMTP, or the log in development
  jobs::registry kinds;
};

}  // namespace keel::worker
