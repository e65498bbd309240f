#include "model/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <tuple>

namespace callpolicy {

std::string where_text(const location& l) { return fmt::format("{}:{}:{}", l.file, l.line, l.column); }

std::ostream& operator<<(std::ostream& out, const diagnostic_kind& kind) { return out << kind.code; }

const diagnostic_kind* find_diagnostic_kind(std::string_view code) {
  for (const diagnostic_kind& kind : catalogue) {
    if (kind.code == code) return &kind;
  }
  return nullptr;
}

std::size_t diagnostic_sink::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const diagnostic& d) { return d.level == severity::error; }));
}

std::size_t diagnostic_sink::warning_count() const { return items_.size() - error_count(); }

void diagnostic_sink::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
}

}  // namespace callpolicy
