// The router: a segment trie over indices into routes_, so matching walks the path once
// and the route vector may grow while the trie stays valid.
#include "core/http/router.hpp"

#include <array>
#include <memory>
#include <stdexcept>

namespace keel::http {

namespace {

constexpr std::size_t method_count = static_cast<std::size_t>(method::other) + 1;

// The order methods are listed in an Allow header.
constexpr std::array<method, 7> allow_order{method::get,    method::head,  method::post,
                                            method::put,    method::patch, method::delete_,
                                            method::options};

bool is_param(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

// Splits "/a/b" into "a", "b"; "/" is no segment at all.
template <class F>
bool for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  if (path.empty()) return true;
  for (;;) {
    auto slash = path.find('/');
    f(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

struct router::node {
  // Few children per node in practice, so a flat vector beats a hash map here.
  std::vector<std::pair<std::string, std::unique_ptr<node>>> statics;
  std::unique_ptr<node> param;
  std::array<int, method_count> handlers;
  bool terminal = false;

  node() { handlers.fill(-1); }

  node* static_child(std::string_view segment) const {
    for (const auto& [name, child] : statics) {
      if (name == segment) return child.get();
    }
    return nullptr;
  }
};

namespace {

// A template so it can name router's private node type through deduction.
template <class node>
struct search {
  method verb;
  std::vector<std::pair<std::string_view, std::string_view>>& values;  // captured, in order
  const node* first_terminal = nullptr;  // for 405: the path exists with other methods

  int handler_for(const node& n) const {
    int index = n.handlers[static_cast<std::size_t>(verb)];
    if (index < 0 && verb == method::head)
      index = n.handlers[static_cast<std::size_t>(method::get)];
    return index;
  }

  int finish(const node& n) {
    if (!n.terminal) return -1;
    if (first_terminal == nullptr) first_terminal = &n;
    return handler_for(n);
  }

  // `rest` holds at least one segment (possibly empty, as in "/a/"). Depth-first, static
  // children before the parameter, so "/t/new" beats "/t/{slug}" yet "/t/new/x" can still
  // reach "/t/{slug}/x".
  int walk(const node& n, std::string_view rest) {
    auto slash = rest.find('/');
    bool more = slash != std::string_view::npos;
    std::string_view segment = rest.substr(0, slash);
    std::string_view after = more ? rest.substr(slash + 1) : std::string_view{};
    if (const node* child = n.static_child(segment)) {
      int found = more ? walk(*child, after) : finish(*child);
      if (found >= 0) return found;
    }
    if (n.param && !segment.empty()) {
      values.emplace_back(std::string_view{}, segment);
      int found = more ? walk(*n.param, after) : finish(*n.param);
      if (found >= 0) return found;
      values.pop_back();
    }
    return -1;
  }
};

}  // namespace

namespace {

template <class node>
std::unique_ptr<node> clone(const node& from) {
  auto to = std::make_unique<node>();
  for (const auto& [name, child] : from.statics) to->statics.emplace_back(name, clone(*child));
  if (from.param) to->param = clone(*from.param);
  to->handlers = from.handlers;
  to->terminal = from.terminal;
  return to;
}

}  // namespace

void router::add(route r) {
  if (!root_) root_ = std::make_shared<node>();
  // A copied router shares the trie; it must not see this copy's indices.
  if (root_.use_count() > 1) root_ = std::shared_ptr<node>(clone(*root_));
  if (r.verb == method::other) {
    throw std::logic_error("router: a route needs a standard method: " + r.path);
  }
  node* at = root_.get();
  bool ok = for_each_segment(r.path, [&](std::string_view segment) {
    if (is_param(segment)) {
      if (!at->param) at->param = std::make_unique<node>();
      at = at->param.get();
      return;
    }
    node* child = at->static_child(segment);
    if (child == nullptr) {
      at->statics.emplace_back(std::string(segment), std::make_unique<node>());
      child = at->statics.back().second.get();
    }
    at = child;
  });
  if (!ok) throw std::logic_error("router: a path must start with '/': " + r.path);
  int& slot = at->handlers[static_cast<std::size_t>(r.verb)];
  if (slot >= 0) {
    throw std::logic_error("router: duplicate route " + std::string(method_name(r.verb)) + " " +
                           r.path);
  }
  // Checked before any change that could not be undone: the trie may hold a node with no
  // handler after a failed add, which is harmless because terminal stays false.
  slot = static_cast<int>(routes_.size());
  at->terminal = true;
  routes_.push_back(std::move(r));
}

std::vector<std::string> router::check() const {
  std::vector<std::string> problems;
  for (const route& r : routes_) {
    std::string name = std::string(method_name(r.verb)) + " " + r.path;
    for (const auto& p : r.problems) problems.push_back(name + ": " + p);
    if (r.doc.access != access::none && guard_.authenticate == nullptr) {
      problems.push_back(name + ": needs a caller, but no authenticator is wired");
    }
    if (!r.doc.limits.empty() && guard_.limiter == nullptr) {
      problems.push_back(name + ": counts rate limits, but no limiter is wired");
    }
    for (const auto& use : r.doc.limits) {
      if (guard_.find_limit(use.limit) == nullptr) {
        problems.push_back(name + ": names the rate limit \"" + use.limit +
                           "\", which no feature declares");
      }
    }
  }
  return problems;
}

router::match router::find(method verb, std::string_view path) const {
  match result;
  if (!root_ || path.empty() || path.front() != '/') return result;
  search<node> s{verb, result.params};
  int index = path.size() == 1 ? s.finish(*root_) : s.walk(*root_, path.substr(1));
  if (index >= 0) {
    result.found = &routes_[static_cast<std::size_t>(index)];
    // Names come from the route, not the trie: "/t/{id}" and "/t/{slug}/x" share a node.
    std::size_t i = 0;
    for_each_segment(result.found->path, [&](std::string_view segment) {
      if (is_param(segment) && i < result.params.size()) {
        result.params[i++].first = segment.substr(1, segment.size() - 2);
      }
    });
    return result;
  }
  result.params.clear();
  if (s.first_terminal != nullptr) {
    for (method m : allow_order) {
      bool has = s.first_terminal->handlers[static_cast<std::size_t>(m)] >= 0 ||
                 (m == method::head &&
                  s.first_terminal->handlers[static_cast<std::size_t>(method::get)] >= 0);
      if (!has) continue;
      if (!result.allowed.empty()) result.allowed += ", ";
      result.allowed += method_name(m);
    }
  }
  return result;
}

}  // namespace keel::http
