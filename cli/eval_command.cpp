#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "compiler/parser.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"

namespace callpolicy::cli {

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("eval", "dry-run one decision");
  struct options {
    std::vector<std::string> paths;
    std::string at;
    std::string clinic;
    std::string to;
    std::int32_t calls = 0;
    std::string caller;
    std::string via;
    std::string format = "text";
    std::string public_url = "http://127.0.0.1:8080";
    std::string ai_sip;
    std::string ai_url;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--at", opts->at, "RFC 3339 time, or a local time in the clinic's zone")
      ->required();
  auto* clinic = command->add_option("--clinic", opts->clinic, "the clinic's id");
  command->add_option("--to", opts->to, "the number or SIP URI called")->excludes(clinic);
  command->add_option("--calls", opts->calls, "calls already active (default 0)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--caller", opts->caller, "the caller's number");
  command->add_option("--via", opts->via, "ported, forwarded or sip")
      ->check(CLI::IsMember({"ported", "forwarded", "sip"}));
  command->add_option("--format", opts->format, "text, json or twiml")
      ->check(CLI::IsMember({"text", "json", "twiml"}));
  command->add_option("--public-url", opts->public_url, "the server's public URL, for callbacks");
  auto* ai_sip = command->add_option("--ai-sip", opts->ai_sip, "default AI SIP URI");
  command->add_option("--ai-url", opts->ai_url, "default AI redirect URL")->excludes(ai_sip);
  command->callback([opts, &exit_code] {
    const auto at = parse_date_time(opts->at);
    if (!at) {
      std::fprintf(stderr,
                   "callpolicy eval: --at '%s' is not a time like 2026-12-24T18:00, "
                   "2026-12-24T23:00Z or 2026-12-24T18:00-05:00\n",
                   opts->at.c_str());
      exit_code = exit_usage;
      return;
    }
    loaded_set loaded;
    if (!load_usable(opts->paths, loaded, exit_code)) return;
    const auto runtime_set = load_runtime(loaded, "eval", exit_code);
    if (!runtime_set) return;
    const policy_set& set = *runtime_set;
    clinic_match match;
    if (!opts->to.empty()) {
      const auto found = identify_clinic(set, opts->to);
      if (!found) {
        std::fprintf(stderr, "callpolicy eval: no clinic answers to '%s'\n", opts->to.c_str());
        exit_code = exit_findings;
        return;
      }
      match = *found;
    } else if (!opts->clinic.empty()) {
      match.clinic = set.find_by_id(opts->clinic);
      if (!match.clinic) {
        std::fprintf(stderr, "callpolicy eval: unknown clinic '%s'\n", opts->clinic.c_str());
        exit_code = exit_findings;
        return;
      }
    } else if (set.clinics().size() == 1) {
      match.clinic = &set.clinics().front();
    } else {
      std::fprintf(stderr, "callpolicy eval: the set holds %zu clinics: give --clinic or --to\n",
                   set.clinics().size());
      exit_code = exit_usage;
      return;
    }
    if (!opts->via.empty()) match.via = *via_from_name(opts->via);

    const runtime_clinic& c = *match.clinic;
    const resolved_instant instant = resolve_instant(*at, c.zone);
    if (instant.type == local_resolution::kind::nonexistent) {
      std::fprintf(stderr,
                   "callpolicy eval: %s does not exist in %s (the clocks skip it for daylight "
                   "saving)\n",
                   opts->at.c_str(), c.policy.timezone.c_str());
      exit_code = exit_findings;
      return;
    }
    if (instant.type == local_resolution::kind::ambiguous) {
      std::fprintf(stderr,
                   "callpolicy eval: warning: %s occurs twice in %s; using the earlier instant\n",
                   opts->at.c_str(), c.policy.timezone.c_str());
    }
    const call_context call{instant.instant, opts->calls, opts->caller, match.via};
    const decision d = decide(c, call);
    std::string twiml;
    write_twiml(twiml, c, d, match.via, {opts->public_url, opts->ai_sip, opts->ai_url});
    const std::string local_time = format_local_time(c, instant.instant);
    if (opts->format == "json") {
      nlohmann::ordered_json j{{"clinic", c.policy.id},
                               {"via", via_name(match.via)},
                               {"action", action_name(d.action)},
                               {"reason", d.reason},
                               {"local_time", local_time},
                               {"calls", opts->calls},
                               {"twiml", twiml}};
      std::puts(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else if (opts->format == "twiml") {
      std::puts(twiml.c_str());
    } else {
      std::fputs(fmt::format("clinic      {}\nvia         {}\naction      {}\nreason      {}\n"
                             "local time  {}\ncalls       {}\ntwiml       {}\n",
                             c.policy.id, via_name(match.via), action_name(d.action), d.reason,
                             local_time, opts->calls, twiml)
                     .c_str(),
                 stdout);
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
