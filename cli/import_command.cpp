#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "authoring/ics_import.h"
#include "authoring/settings_export.h"
#include "authoring/settings_import.h"
#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "compiler/builtin_calendars.h"
#include "runtime/identify.h"

namespace callpolicy::cli {
namespace {

bool is_slug(std::string_view id) {
  return !id.empty() && id.front() != '-' && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "maple_dental.json" -> "maple-dental": a clinic id from a file name.
std::string slug_of(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool read_input(const std::string& path, std::string& text) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    text = s.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("import", "turn AvailabilitySettings JSON into a policy");
  struct options {
    std::vector<std::string> settings;
    std::string clinic;
    std::string name;
    std::string timezone;
    std::vector<std::string> numbers;
    std::string output;
  };
  auto opts = std::make_shared<options>();
  command->add_option("settings", opts->settings, "AvailabilitySettings JSON files ('-' reads standard input)")
      ->required();
  command->add_option("--clinic", opts->clinic,
                      "the clinic's id (a slug like smile-dental); with several files, each file's name");
  command->add_option("--name", opts->name, "the clinic's name");
  command->add_option("--timezone", opts->timezone,
                      "the clinic's IANA zone, when the settings have none (or to replace theirs)");
  command->add_option("--numbers", opts->numbers,
                      "the clinic's numbers: +1416... (ported), forwarded:+1647..., sip:USER; comma-separated")
      ->delimiter(',');
  command->add_option("-o,--output", opts->output, "a file to write (one settings file) or a directory (several)");
  command->callback([opts, &exit_code] {
    const bool several = opts->settings.size() > 1;
    if (!several && !is_slug(opts->clinic)) {
      std::fprintf(stderr, "callpolicy import: --clinic '%s' is not an id like smile-dental%s\n", opts->clinic.c_str(),
                   opts->clinic.empty() ? " (required with one settings file)" : "");
      exit_code = exit_usage;
      return;
    }
    if (several && !opts->clinic.empty()) {
      std::fputs("callpolicy import: --clinic names one clinic; with several files each takes its file's name\n",
                 stderr);
      exit_code = exit_usage;
      return;
    }
    if (several && opts->output.empty()) {
      std::fputs("callpolicy import: several files need -o DIR (one policy file each)\n", stderr);
      exit_code = exit_usage;
      return;
    }
    import_options base;
    base.clinic_name = opts->name;
    base.timezone = opts->timezone;
    for (const std::string& n : opts->numbers) {
      const auto colon = n.find(':');
      const std::string kind = colon == std::string::npos ? "ported" : n.substr(0, colon);
      const std::string value = colon == std::string::npos ? n : n.substr(colon + 1);
      const bool number_kind = kind == "ported" || kind == "forwarded";
      if ((number_kind && !is_e164(value)) || (kind == "sip" && !is_slug(value)) ||
          (!number_kind && kind != "sip")) {
        std::fprintf(stderr,
                     "callpolicy import: --numbers '%s' is not +E.164, forwarded:+E.164 or sip:USER\n", n.c_str());
        exit_code = exit_usage;
        return;
      }
      (kind == "ported" ? base.ported : kind == "forwarded" ? base.forwarded : base.sip).push_back(value);
    }
    int result = exit_ok;
    for (const std::string& path : opts->settings) {
      std::string text;
      if (!read_input(path, text)) {
        std::fprintf(stderr, "callpolicy import: cannot read '%s'\n", path.c_str());
        exit_code = exit_usage;
        return;
      }
      import_options o = base;
      o.clinic_id = several ? slug_of(std::filesystem::path(path).stem().string()) : opts->clinic;
      if (!is_slug(o.clinic_id)) {
        std::fprintf(stderr, "callpolicy import: '%s' gives no clinic id\n", path.c_str());
        exit_code = exit_usage;
        return;
      }
      const import_result imported = import_settings(text, o);
      const std::string shown = path == "-" ? "<stdin>" : path;
      for (const std::string& e : imported.errors) std::fprintf(stderr, "%s: %s\n", shown.c_str(), e.c_str());
      if (!imported.errors.empty()) {
        const bool zone = std::any_of(imported.errors.begin(), imported.errors.end(),
                                      [](const std::string& e) { return e.find("timezone: required") != std::string::npos; });
        if (zone) std::fprintf(stderr, "%s: note: give --timezone, e.g. --timezone America/Toronto\n", shown.c_str());
        result = exit_findings;
        continue;
      }
      if (opts->output.empty()) {
        std::fputs(imported.policy.c_str(), stdout);
        continue;
      }
      const std::string target =
          several ? (std::filesystem::path(opts->output) / (o.clinic_id + ".policy")).string() : opts->output;
      std::error_code ec;
      if (several) std::filesystem::create_directories(opts->output, ec);
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out << imported.policy;
      if (!out) {
        std::fprintf(stderr, "callpolicy import: cannot write '%s'\n", target.c_str());
        exit_code = exit_usage;
        return;
      }
      std::printf("%s\n", target.c_str());
    }
    exit_code = result;
  });
}

void add_export_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("export", "a policy back to AvailabilitySettings JSON, where it fits that shape");
  struct options {
    std::vector<std::string> paths;
    std::string clinic;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--clinic", opts->clinic, "the clinic's id")->required();
  command->callback([opts, &exit_code] {
    load_scope scope;
    scope.clinics.push_back(opts->clinic);
    scoped_set scoped;
    const bool usable = load_scoped_and_report(opts->paths, scope, "export", scoped, exit_code);
    if (!usable) return;
    for (const compiled_clinic& c : scoped.loaded.output.set.clinics) {
      if (c.id != opts->clinic) continue;
      const export_result r = export_settings(c);
      for (const std::string& e : r.errors) {
        std::fprintf(stderr, "callpolicy export: clinic '%s': %s\n", c.id.c_str(), e.c_str());
      }
      if (!r.errors.empty()) {
        exit_code = exit_findings;
        return;
      }
      std::fputs(r.json.c_str(), stdout);
      exit_code = exit_ok;
      return;
    }
    report_unknown_clinic("export", opts->clinic, scoped.loaded.output.files);
    exit_code = exit_findings;
  });
}

void add_import_ics_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("import-ics", "turn a clinic's exported closures (iCalendar) into a calendar");
  struct options {
    std::string file;
    std::string calendar;
    std::string from;
    std::string to;
    std::string clinic;
    std::vector<std::string> context;
    std::string output;
  };
  auto opts = std::make_shared<options>();
  command->add_option("file", opts->file, "the .ics file ('-' reads standard input)")->required();
  command->add_option("--calendar", opts->calendar, "the calendar's name (a slug like smile-closures)")->required();
  command->add_option("--from", opts->from, "the first date imported (default: today)");
  command->add_option("--to", opts->to, "the last date imported (default: a year after --from)");
  command->add_option("--clinic", opts->clinic,
                      "the clinic whose hours turn closures of part of a day into special hours (with --context)");
  command->add_option("--context", opts->context, "policy files and directories holding --clinic");
  command->add_option("-o,--output", opts->output, "a file to write instead of standard output");
  command->callback([opts, &exit_code] {
    exit_code = exit_usage;
    if (!is_slug(opts->calendar)) {
      std::fprintf(stderr, "callpolicy import-ics: --calendar '%s' is not a name like smile-closures\n",
                   opts->calendar.c_str());
      return;
    }
    if (builtin_calendar_rules(opts->calendar)) {
      std::fprintf(stderr,
                   "callpolicy import-ics: '%s' is a built-in calendar; name the clinic's own (%s-closures)\n",
                   opts->calendar.c_str(), opts->calendar.c_str());
      return;
    }
    ics_import_options options;
    options.calendar = opts->calendar;
    options.source_name = opts->file == "-" ? std::string(stdin_name) : opts->file;
    const day_number today = static_cast<day_number>(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count());
    const auto from = opts->from.empty() ? std::optional(today) : parse_date(opts->from);
    if (!from) {
      std::fprintf(stderr, "callpolicy import-ics: --from '%s' is not a date like 2027-01-01\n", opts->from.c_str());
      return;
    }
    const civil_date start = civil_from_days(*from);
    const auto to = opts->to.empty() ? std::optional<day_number>(days_from_civil(start.year + 1, start.month, 1) +
                                                                      static_cast<day_number>(start.day) - 2)
                                     : parse_date(opts->to);
    if (!to || *to < *from || *to - *from > 366 * 10) {
      std::fprintf(stderr, "callpolicy import-ics: --to '%s' is not a date like 2027-12-31 within ten years after --from\n",
                   opts->to.c_str());
      return;
    }
    options.first = *from;
    options.last = *to;
    scoped_set scoped;
    if (!opts->clinic.empty()) {
      if (opts->context.empty()) {
        std::fprintf(stderr, "callpolicy import-ics: --clinic needs --context, the policies that define it\n");
        return;
      }
      load_scope scope;
      scope.clinics.push_back(opts->clinic);
      if (!load_scoped_and_report(opts->context, scope, "import-ics", scoped, exit_code)) return;
      for (const compiled_clinic& c : scoped.loaded.output.set.clinics) {
        if (c.id == opts->clinic) options.clinic = &c;
      }
      if (options.clinic == nullptr) {
        report_unknown_clinic("import-ics", opts->clinic, scoped.loaded.output.files);
        exit_code = exit_usage;
        return;
      }
    }
    std::string text;
    if (!read_input(opts->file, text)) {
      std::fprintf(stderr, "callpolicy import-ics: cannot read '%s'\n", opts->file.c_str());
      exit_code = exit_usage;
      return;
    }
    const ics_import_result imported = import_ics(text, options);
    for (const std::string& n : imported.notes) std::fprintf(stderr, "%s\n", n.c_str());
    if (imported.error) {
      std::fprintf(stderr, "%s\n", imported.error->c_str());
      exit_code = exit_findings;
      return;
    }
    if (opts->output.empty()) {
      std::fputs(imported.policy.c_str(), stdout);
    } else {
      std::ofstream out(opts->output, std::ios::binary | std::ios::trunc);
      out << imported.policy;
      if (!out) {
        std::fprintf(stderr, "callpolicy import-ics: cannot write '%s'\n", opts->output.c_str());
        exit_code = exit_usage;
        return;
      }
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
