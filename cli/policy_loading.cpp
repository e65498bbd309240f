#include "cli/policy_loading.h"

#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/parser.h"

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

void print_diagnostics(const loaded_set& loaded, std::string_view format, std::FILE* out) {
  const auto& all = loaded.sink.all();
  std::string text;
  if (format == "json") {
    text = render_json(all);
  } else if (format == "sarif") {
    text = render_sarif(all);
  } else if (format == "github") {
    text = render_github(all);
  } else {
    text = render_text(all, loaded.texts, colour_for(out));
  }
  std::fputs(text.c_str(), out);
}

bool report_io_errors(const loaded_set& loaded) {
  for (const std::string& e : loaded.io_errors) std::fprintf(stderr, "callpolicy: %s\n", e.c_str());
  return !loaded.io_errors.empty();
}

bool load_usable(const std::vector<std::string>& paths, loaded_set& loaded, int& exit_code) {
  loaded = load_policies(paths, {});
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
