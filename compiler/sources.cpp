// The files of a set: paths and directories to the `*.policy` files under
// them, each read once whatever way it was reached.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "compiler/compiler.h"

namespace callpolicy {
namespace {

namespace fs = std::filesystem;

bool read_whole(const fs::path& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno));
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

}  // namespace

source_set read_sources(const std::vector<std::string>& paths) {
  source_set out;
  // A file reached twice (overlapping paths, or a symlink beside its target)
  // is read once.
  std::set<fs::path> seen;
  for (const std::string& path : paths) {
    if (path == "-") {
      // Standard input, once, named as diagnostics show it.
      if (!seen.insert(fs::path(stdin_name)).second) continue;
      std::ostringstream text;
      text << std::cin.rdbuf();
      out.files.push_back({std::string(stdin_name), text.str()});
      continue;
    }
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      out.io_errors.push_back(fmt::format("cannot read '{}': No such file or directory", path));
      continue;
    }
    std::vector<fs::path> found;
    if (fs::is_directory(status)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        // Dot-entries are skipped: editors' temporary files, and the
        // timestamped directories behind a Kubernetes ConfigMap's `..data`
        // symlink, whose files are reached through their symlinks instead.
        if (it->path().filename().string().starts_with(".")) {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec) && it->path().extension() == ".policy")
          found.push_back(it->path());
      }
      if (ec) out.io_errors.push_back(fmt::format("cannot read '{}': {}", path, ec.message()));
      std::sort(found.begin(), found.end());
    } else {
      found.emplace_back(path);
    }
    for (const fs::path& p : found) {
      std::error_code canonical_ec;
      const fs::path real = fs::weakly_canonical(p, canonical_ec);
      if (!seen.insert(canonical_ec ? p : real).second) continue;
      source_file f{p.string(), {}};
      std::string error;
      if (read_whole(p, f.text, error)) {
        out.files.push_back(std::move(f));
      } else {
        out.io_errors.push_back(std::move(error));
      }
    }
  }
  return out;
}
}  // namespace callpolicy
