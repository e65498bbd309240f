#include "server/endpoints.h"

namespace callpolicy::server {
namespace {

// `path` against a table path with at most one `{id}` segment.
bool matches(std::string_view pattern, std::string_view path, std::string_view& segment) {
  const auto hole = pattern.find("{id}");
  if (hole == std::string_view::npos) return pattern == path;
  const std::string_view before = pattern.substr(0, hole);
  const std::string_view after = pattern.substr(hole + 4);
  if (path.size() <= before.size() + after.size() || !path.starts_with(before) ||
      !path.ends_with(after))
    return false;
  segment = path.substr(before.size(), path.size() - before.size() - after.size());
  return segment.find('/') == std::string_view::npos;
}

}  // namespace

const endpoint* find_endpoint(std::string_view path, bool admin, std::string_view& matched,
                              std::string_view& segment) {
  for (const endpoint& e : endpoints) {
    const bool here = e.served_on == address::both || (admin ? e.served_on == address::admin_only
                                                             : e.served_on == address::public_only);
    if (!here) continue;
    if (matches(e.path, path, segment)) {
      matched = e.path;
      return &e;
    }
    if (!e.alias.empty() && e.alias == path) {
      matched = e.alias;
      return &e;
    }
  }
  return nullptr;
}

bool allows(const endpoint& e, std::string_view method) {
  std::string_view list = e.methods;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view m = list.substr(0, comma);
    while (m.starts_with(' ')) m.remove_prefix(1);
    if (m == method) return true;
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return false;
}

std::string_view endpoint_label(std::string_view target, bool admin) {
  std::string_view matched;
  std::string_view segment;
  const endpoint* e = find_endpoint(target.substr(0, target.find('?')), admin, matched, segment);
  return e ? matched : unknown_endpoint_label;
}

}  // namespace callpolicy::server
