// Every routes file's registration function; main.cpp calls each once.
#pragma once

namespace keel::api {

class app;

void add_system_routes(app& app);
void add_template_routes(app& app);
void add_auth_routes(app& app);
void add_admin_routes(app& app);

}  // namespace keel::api
