#include "cli/policy_loading.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "compiler/parser.h"
#include "model/edit_distance.h"

namespace callpolicy::cli {

loaded_set load_policies(const std::vector<std::string>& paths, const compile_options& options) {
  loaded_set loaded;
  source_set sources = read_sources(paths);
  loaded.io_errors = std::move(sources.io_errors);
  loaded.output = compile_sources(sources, options, loaded.sink);
  for (source_file& f : sources.files) loaded.texts.emplace(f.path, std::move(f.text));
  return loaded;
}

bool colour_for(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  return isatty(fileno(stream)) != 0;
}

namespace {

std::string render(const std::vector<diagnostic>& all, const source_texts& texts, std::string_view format,
                   std::FILE* out) {
  if (format == "json") return render_json(all);
  if (format == "sarif") return render_sarif(all);
  if (format == "github") return render_github(all);
  return render_text(all, texts, colour_for(out));
}

void add_calendar_files(const std::vector<ast::policy_file>& parsed, const std::string& name,
                        std::set<std::string>& files, std::set<std::string>& seen) {
  if (!seen.insert(name).second) return;
  for (const ast::policy_file& f : parsed) {
    for (const ast::calendar& c : f.calendars) {
      if (c.name != name) continue;
      files.insert(f.path);
      for (const ast::holiday_entry& e : c.entries) {
        if (e.type == ast::holiday_entry::kind::use) add_calendar_files(parsed, e.calendar, files, seen);
      }
    }
  }
}

// The files a command acting on `scope` reports on.
std::set<std::string> files_in_scope(const std::vector<ast::policy_file>& parsed, const load_scope& scope,
                                     const std::set<std::string>& given) {
  if (scope.given_paths) return given;
  std::set<std::string> files;
  bool all_found = true;
  for (const std::string& id : scope.clinics) {
    const std::size_t before = files.size();
    add_clinic_files(parsed, id, files);
    all_found = all_found && files.size() > before;
  }
  if (scope.tests) {
    for (const ast::policy_file& f : parsed) {
      if (f.tests.empty() || !given.count(f.path)) continue;
      files.insert(f.path);
      for (const ast::test_case& t : f.tests) {
        const std::string id = test_clinic_id(t, f, parsed);
        if (!id.empty()) add_clinic_files(parsed, id, files);
      }
    }
  }
  // A clinic no file defines may be one a syntax error lost: its file's
  // errors are the ones to show.
  if (!all_found) {
    for (const ast::policy_file& f : parsed) {
      if (f.lost_items) files.insert(f.path);
    }
  }
  return files;
}

}  // namespace

void report_unknown_clinic(std::string_view command, std::string_view id, const std::vector<ast::policy_file>& parsed) {
  std::vector<std::string_view> ids;
  for (const ast::policy_file& f : parsed) {
    for (const ast::clinic& c : f.clinics) ids.push_back(c.id);
  }
  const std::string_view meant = closest_word(id, ids);
  std::fputs(fmt::format("callpolicy {}: unknown clinic '{}'{}\n", command, id,
                         meant.empty() ? std::string() : fmt::format(", did you mean '{}'?", meant))
                 .c_str(),
             stderr);
}

void add_clinic_files(const std::vector<ast::policy_file>& parsed, std::string_view clinic,
                      std::set<std::string>& files) {
  std::set<std::string> seen;
  for (const ast::policy_file& f : parsed) {
    for (const ast::clinic& c : f.clinics) {
      if (c.id != clinic) continue;
      files.insert(f.path);
      if (!c.holidays) continue;
      for (const ast::holiday_entry& e : c.holidays->items) {
        if (e.type == ast::holiday_entry::kind::use) add_calendar_files(parsed, e.calendar, files, seen);
      }
    }
  }
}

void print_scoped_diagnostics(const loaded_set& loaded, const std::set<std::string>& files, std::string_view format,
                              std::FILE* stream) {
  std::vector<diagnostic> shown;
  for (const diagnostic& d : loaded.sink.all()) {
    if (files.count(d.where.file)) shown.push_back(d);
  }
  std::fputs(render(shown, loaded.texts, format, stream).c_str(), stream);
}

bool load_scoped(const std::vector<std::string>& paths, const std::vector<std::string>& context,
                 const load_scope& scope, const compile_options& options, std::string_view command,
                 scoped_set& out, int& exit_code) {
  source_set sources = read_sources(paths);
  std::set<std::string> given;
  for (const source_file& f : sources.files) given.insert(f.path);
  if (!context.empty()) {
    // Read beside the given paths; a file reached through both is read once.
    std::vector<std::string> all = paths;
    all.insert(all.end(), context.begin(), context.end());
    source_set both = read_sources(all);
    sources.files = std::move(both.files);
    sources.io_errors.insert(sources.io_errors.end(), both.io_errors.begin(), both.io_errors.end());
    std::sort(sources.io_errors.begin(), sources.io_errors.end());
    sources.io_errors.erase(std::unique(sources.io_errors.begin(), sources.io_errors.end()), sources.io_errors.end());
  }
  for (const std::string& e : sources.io_errors) std::fprintf(stderr, "callpolicy: %s\n", e.c_str());
  if (!sources.io_errors.empty()) {
    exit_code = exit_usage;
    return false;
  }
  std::set<std::string> excluded;
  std::map<std::string, std::size_t> errors_in;  // of the whole set, per file
  loaded_set loaded;
  std::set<std::string> in_scope;
  for (;;) {
    source_set kept;
    for (const source_file& f : sources.files) {
      if (!excluded.count(f.path)) kept.files.push_back(f);
    }
    loaded = loaded_set{};
    loaded.output = compile_sources(kept, options, loaded.sink);
    for (source_file& f : kept.files) loaded.texts.emplace(f.path, std::move(f.text));
    in_scope = files_in_scope(loaded.output.files, scope, given);
    if (excluded.empty()) {
      for (const diagnostic& d : loaded.sink.all()) errors_in[d.where.file] += d.level == severity::error ? 1 : 0;
    }
    std::set<std::string> broken_outside;
    for (const diagnostic& d : loaded.sink.all()) {
      if (d.level == severity::error && !in_scope.count(d.where.file) && loaded.texts.count(d.where.file)) {
        broken_outside.insert(d.where.file);
      }
    }
    if (broken_outside.empty()) break;  // clean, or the errors are the command's own
    excluded.insert(broken_outside.begin(), broken_outside.end());
  }
  for (const std::string& f : excluded) {
    const std::size_t n = errors_in[f];
    if (given.count(f)) {
      std::fprintf(stderr,
                   "callpolicy %.*s: warning: left out '%s': %zu error%s there concern no clinic this command acts "
                   "on ('callpolicy check %s' shows them)\n",
                   static_cast<int>(command.size()), command.data(), f.c_str(), n, n == 1 ? "" : "s", f.c_str());
    } else {
      std::fprintf(stderr, "callpolicy %.*s: warning: left out context file '%s': it has %zu error%s\n",
                   static_cast<int>(command.size()), command.data(), f.c_str(), n, n == 1 ? "" : "s");
    }
  }
  out.left_out.assign(excluded.begin(), excluded.end());
  // An empty set is reported on whatever the scope: it names the set, not a file.
  for (const diagnostic& d : loaded.sink.all()) {
    if (d.code == codes::empty_set) in_scope.insert(d.where.file);
  }
  out.files = std::move(in_scope);
  out.given = std::move(given);
  out.loaded = std::move(loaded);
  if (out.loaded.sink.has_errors()) exit_code = exit_findings;
  return !out.loaded.sink.has_errors();
}

bool load_scoped_and_report(const std::vector<std::string>& paths, const load_scope& scope, std::string_view command,
                            scoped_set& out, int& exit_code, const std::vector<std::string>& context) {
  const bool usable = load_scoped(paths, context, scope, {}, command, out, exit_code);
  print_scoped_diagnostics(out.loaded, out.files, "text", stderr);
  return usable;
}

void print_diagnostics(const loaded_set& loaded, std::string_view format, std::FILE* out) {
  std::fputs(render(loaded.sink.all(), loaded.texts, format, out).c_str(), out);
}

bool report_io_errors(const loaded_set& loaded) {
  for (const std::string& e : loaded.io_errors) std::fprintf(stderr, "callpolicy: %s\n", e.c_str());
  return !loaded.io_errors.empty();
}

bool load_usable(const std::vector<std::string>& paths, loaded_set& loaded, int& exit_code,
                 const compile_options& options) {
  loaded = load_policies(paths, options);
  if (report_io_errors(loaded)) {
    exit_code = 2;
    return false;
  }
  print_diagnostics(loaded, "text", stderr);
  if (loaded.sink.has_errors()) {
    exit_code = 1;
    return false;
  }
  return true;
}

std::shared_ptr<const policy_set> load_runtime(loaded_set& loaded, std::string_view command, int& exit_code) {
  auto result = policy_set::load(std::move(loaded.output.set));
  if (!result.set) {
    std::fprintf(stderr, "callpolicy %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 result.error.c_str());
    exit_code = 1;
  }
  return result.set;
}

std::optional<day_number> parse_date(std::string_view text) {
  const auto parsed = parse_date_time(std::string(text) + "T00:00");
  if (!parsed || parsed->offset_minutes) return std::nullopt;
  return parsed->date;
}

resolved_instant resolve_instant(const ast::date_time& at, const cctz::time_zone* zone) {
  const std::int64_t local = std::int64_t{at.date} * 86400 + at.seconds;
  if (at.offset_minutes) {
    return {std::chrono::sys_seconds{std::chrono::seconds{local - *at.offset_minutes * 60}},
            local_resolution::kind::unique};
  }
  const local_resolution r = resolve_local_time(zone, local);
  return {r.instant, r.type};
}

}  // namespace callpolicy::cli
