#include <fstream>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "runtime/week_render.h"

namespace callpolicy::cli {

void add_week_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("week", "show who answers when over seven days");
  struct options {
    std::vector<std::string> paths;
    std::string clinic;
    std::string from;
    std::int32_t calls = 0;
    std::string via;  // default: the integration the clinic has
    std::string caller;
    std::string slot = "30m";
    std::string format = "text";
    std::string output;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--clinic", opts->clinic, "the clinic's id (optional when the set holds one clinic)");
  command->add_option("--from", opts->from, "the first day (default: today in the clinic's zone)");
  command->add_option("--calls", opts->calls, "calls already active")->check(CLI::NonNegativeNumber);
  command->add_option("--via", opts->via, "ported, forwarded or sip")->check(CLI::IsMember({"ported", "forwarded", "sip"}));
  command->add_option("--caller", opts->caller, "the caller's number");
  command->add_option("--slot", opts->slot, "slot length: 5m, 10m, 15m, 20m, 30m, 60m or 1h")
      ->check(CLI::IsMember({"5m", "10m", "15m", "20m", "30m", "60m", "1h"}));
  command->add_option("--format", opts->format, "text or svg")->check(CLI::IsMember({"text", "svg"}));
  command->add_option("-o,--output", opts->output, "write to this file instead of stdout");
  command->callback([opts, &exit_code] {
    load_scope scope;
    if (opts->clinic.empty()) {
      scope.given_paths = true;
    } else {
      scope.clinics.push_back(opts->clinic);
    }
    scoped_set scoped;
    const bool usable = load_scoped_and_report(opts->paths, scope, "week", scoped, exit_code);
    if (!usable) return;
    const auto set = load_runtime(scoped.loaded, "week", exit_code);
    if (!set) return;
    if (opts->clinic.empty() && set->clinics().size() != 1) {
      std::fprintf(stderr, "callpolicy week: the set holds %zu clinics: give --clinic\n", set->clinics().size());
      exit_code = exit_usage;
      return;
    }
    const runtime_clinic* clinic = opts->clinic.empty() ? &set->clinics().front() : set->find_by_id(opts->clinic);
    if (!clinic) {
      report_unknown_clinic("week", opts->clinic, scoped.loaded.output.files);
      exit_code = exit_findings;
      return;
    }
    week_options o;
    o.slot_minutes = static_cast<std::uint16_t>(opts->slot == "1h" ? 60 : std::stoi(opts->slot));
    o.calls = opts->calls;
    o.via = opts->via.empty() ? default_via(clinic->policy) : *via_from_name(opts->via);
    o.caller = opts->caller;
    if (opts->from.empty()) {
      o.from = to_local(clinic->zone, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())).date;
    } else if (const auto from = parse_date(opts->from)) {
      o.from = *from;
    } else {
      std::fprintf(stderr, "callpolicy week: --from '%s' is not a date like 2026-12-21\n", opts->from.c_str());
      exit_code = exit_usage;
      return;
    }
    const week_grid grid = compute_week(*clinic, o);
    const std::string out = opts->format == "svg" ? render_week_svg(*clinic, grid, o) : render_week_text(*clinic, grid, o);
    if (opts->output.empty()) {
      std::fputs(out.c_str(), stdout);
    } else {
      std::ofstream(opts->output, std::ios::binary | std::ios::trunc) << out;
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
