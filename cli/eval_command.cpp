#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/durations.h"
#include "cli/policy_loading.h"
#include "compiler/explain.h"
#include "compiler/parser.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"

namespace callpolicy::cli {
namespace {

// The shape of `eval --format json` (docs/tooling.md); a key removed or
// changed in meaning raises it, a key added does not.
constexpr int eval_json_version = 1;

std::optional<ast::date_time> now_utc() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto days = std::chrono::floor<std::chrono::days>(now);
  ast::date_time t;
  t.date = static_cast<day_number>(days.time_since_epoch().count());
  t.seconds = static_cast<std::uint32_t>((now - days).count());
  t.offset_minutes = 0;
  return t;
}

struct dry_run_override {
  action_kind action;
  std::string reason;  // "override: ..."
};

// The override `file` gives the clinic at `at`, if any; `error` says why the
// file cannot be read. The file is what GET /admin/overrides answers.
std::optional<dry_run_override> override_for(const std::string& file, const runtime_clinic& clinic,
                                             std::chrono::sys_seconds at, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot read it";
    return std::nullopt;
  }
  const auto root = nlohmann::json::parse(in, nullptr, false);
  const nlohmann::json* list = root.is_array() ? &root : root.is_object() && root.contains("overrides") ? &root["overrides"] : nullptr;
  if (!list || !list->is_array()) {
    error = "expected {\"overrides\": [{\"clinic\", \"action\", \"until\", \"reason\"}, ...]}";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& o = (*list)[i];
    const auto text = [&](const char* key) {
      return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
    };
    const auto action = action_from_name(text("action"));
    const auto until = parse_date_time(text("until"));
    if (text("clinic").empty() || !action || !until || !until->offset_minutes || text("reason").empty()) {
      error = fmt::format("override {}: needs clinic, action, until (RFC 3339 with Z or an offset) and reason", i);
      return std::nullopt;
    }
    if (text("clinic") != clinic.policy.id) continue;
    const std::chrono::sys_seconds ends{std::chrono::seconds{std::int64_t{until->date} * 86400 + until->seconds -
                                                             std::int64_t{*until->offset_minutes} * 60}};
    if (at >= ends || !can_answer_with(clinic.policy, *action)) continue;
    return dry_run_override{*action, "override: " + text("reason")};
  }
  return std::nullopt;
}

const ast::clinic* find_clinic(const std::vector<ast::policy_file>& files, std::string_view id) {
  for (const ast::policy_file& f : files) {
    for (const ast::clinic& c : f.clinics) {
      if (c.id == id) return &c;
    }
  }
  return nullptr;
}

nlohmann::ordered_json explain_json(const explanation& why) {
  nlohmann::ordered_json facts = nlohmann::ordered_json::array();
  for (const auto& f : why.facts) facts.push_back({{"name", f.name}, {"value", f.value}, {"detail", f.detail}});
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& r : why.rules) {
    rules.push_back({{"condition", r.condition},
                     {"action", r.action},
                     {"reason", r.reason},
                     {"holds", r.holds},
                     {"decided", r.decided},
                     {"file", r.where.file},
                     {"line", r.where.line},
                     {"column", r.where.column}});
  }
  return {{"decided_by", why.decided_by}, {"facts", facts}, {"rules", rules}};
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("eval", "dry-run one decision");
  struct options {
    std::vector<std::string> paths;
    std::string at;
    std::string clinic;
    std::string to;
    std::int32_t calls = 0;
    std::string mean_call;
    std::string caller;
    std::string via;
    std::optional<std::string> digits;
    std::optional<std::string> dial_status;
    std::optional<std::string> ai_status;
    std::optional<std::string> transfer;
    std::string format = "text";
    std::string public_url = "http://127.0.0.1:8080";
    std::string ai_sip;
    std::string ai_url;
    bool explain = false;
    std::string override_file;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--at", opts->at, "RFC 3339 time, a local time in the clinic's zone, or 'now'")
      ->required();
  command->add_option("--override-file", opts->override_file,
                      "overrides to apply, as GET /admin/overrides lists them (a dry run of one)");
  command->add_flag("--explain", opts->explain,
                    "each condition's value at that instant, every rule with whether it holds and where it is written");
  auto* clinic = command->add_option("--clinic", opts->clinic, "the clinic's id");
  command->add_option("--to", opts->to, "the number or SIP URI called")->excludes(clinic);
  command->add_option("--calls", opts->calls, "calls already active (default 0)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--mean-call", opts->mean_call,
                      "the clinic's mean call length over the last hour, like 6m, for the estimated wait "
                      "(default: unknown, too few completed calls)");
  command->add_option("--caller", opts->caller,
                      "the caller's number: E.164, or national in the clinic's region, or a SIP address");
  command->add_option("--digits", opts->digits, "the key pressed at a menu ('' for none)");
  command->add_option("--dial-status", opts->dial_status, "how a forward ended (Twilio's DialCallStatus)")
      ->check(CLI::IsMember({"no-answer", "busy", "failed", "canceled", "completed", "answered"}));
  command->add_option("--ai-status", opts->ai_status, "how the AI's leg ended (its <Dial>'s DialCallStatus)")
      ->check(CLI::IsMember({"no-answer", "busy", "failed", "canceled", "completed", "answered"}));
  command->add_option("--transfer", opts->transfer,
                      "where the AI transfers the call (a SIP REFER): E.164, or national in the clinic's region");
  command->add_option("--via", opts->via, "ported, forwarded or sip")
      ->check(CLI::IsMember({"ported", "forwarded", "sip"}));
  command->add_option("--format", opts->format, "text, json or twiml")
      ->check(CLI::IsMember({"text", "json", "twiml"}));
  command->add_option("--public-url", opts->public_url, "the server's public URL, for callbacks");
  auto* ai_sip = command->add_option("--ai-sip", opts->ai_sip, "default AI SIP URI");
  command->add_option("--ai-url", opts->ai_url, "default AI redirect URL")->excludes(ai_sip);
  command->callback([opts, &exit_code] {
    const auto at = opts->at == "now" ? now_utc() : parse_date_time(opts->at);
    if (!at) {
      std::fprintf(stderr,
                   "callpolicy eval: --at '%s' is not a time like 2026-12-24T18:00, "
                   "2026-12-24T23:00Z or 2026-12-24T18:00-05:00\n",
                   opts->at.c_str());
      exit_code = exit_usage;
      return;
    }
    load_scope scope;
    if (!opts->clinic.empty()) {
      scope.clinics.push_back(opts->clinic);
    } else if (opts->to.empty()) {
      scope.given_paths = true;  // the set's only clinic, or an error naming how many
    }
    scoped_set scoped;
    if (!load_scoped(opts->paths, {}, scope, {}, "eval", scoped, exit_code)) {
      print_scoped_diagnostics(scoped.loaded, scoped.files, "text", stderr);
      return;
    }
    const std::vector<ast::policy_file> parsed = scoped.loaded.output.files;
    const auto runtime_set = load_runtime(scoped.loaded, "eval", exit_code);
    if (!runtime_set) return;
    const policy_set& set = *runtime_set;
    clinic_match match;
    if (!opts->to.empty()) {
      const auto found = identify_clinic(set, opts->to);
      if (!found) {
        std::string left_out;
        for (const std::string& f : scoped.left_out) left_out += (left_out.empty() ? "" : ", ") + ("'" + f + "'");
        std::fprintf(stderr, "callpolicy eval: no clinic answers to '%s'%s\n", opts->to.c_str(),
                     left_out.empty() ? "" : fmt::format(" (left out for their errors: {})", left_out).c_str());
        exit_code = exit_findings;
        return;
      }
      match = *found;
      add_clinic_files(parsed, match.clinic->policy.id, scoped.files);
    } else if (!opts->clinic.empty()) {
      match.clinic = set.find_by_id(opts->clinic);
      if (!match.clinic) {
        report_unknown_clinic("eval", opts->clinic, scoped.loaded.output.files);
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
    print_scoped_diagnostics(scoped.loaded, scoped.files, "text", stderr);
    if (!opts->via.empty()) {
      match.via = *via_from_name(opts->via);
    } else if (opts->to.empty()) {
      match.via = default_via(match.clinic->policy);
    }

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
    std::string caller_buffer;
    const std::string_view caller = caller_e164(opts->caller, c.policy.region, caller_buffer);
    if (!opts->caller.empty() && caller.empty()) {
      std::fprintf(stderr, "callpolicy eval: --caller '%s' is not a phone number in E.164%s\n", opts->caller.c_str(),
                   c.policy.region.empty() ? " (the clinic has no region for national forms)"
                                           : fmt::format(" or in the national form of {}", c.policy.region).c_str());
      exit_code = exit_usage;
      return;
    }
    std::string transfer_buffer;
    std::optional<std::string_view> transfer;
    if (opts->transfer) {
      transfer = caller_e164(*opts->transfer, c.policy.region, transfer_buffer);
      if (transfer->empty()) {
        std::fprintf(stderr, "callpolicy eval: --transfer '%s' is not a phone number in E.164%s\n",
                     opts->transfer->c_str(),
                     c.policy.region.empty() ? " (the clinic has no region for national forms)"
                                             : fmt::format(" or in the national form of {}", c.policy.region).c_str());
        exit_code = exit_usage;
        return;
      }
    }
    std::int32_t mean_call_seconds = 0;
    if (!opts->mean_call.empty()) {
      const auto mean = parse_duration(opts->mean_call);
      if (!mean || *mean > std::chrono::hours(24)) {
        std::fprintf(stderr, "callpolicy eval: --mean-call '%s' is not a duration like 6m (at most 24h)\n",
                     opts->mean_call.c_str());
        exit_code = exit_usage;
        return;
      }
      mean_call_seconds = static_cast<std::int32_t>(mean->count());
    }
    call_context call{instant.instant, opts->calls, caller, match.via};
    call.mean_call_seconds = mean_call_seconds;
    std::optional<dry_run_override> overridden;
    if (!opts->override_file.empty()) {
      std::string error;
      overridden = override_for(opts->override_file, c, instant.instant, error);
      if (!error.empty()) {
        std::fprintf(stderr, "callpolicy eval: --override-file '%s': %s\n", opts->override_file.c_str(), error.c_str());
        exit_code = exit_usage;
        return;
      }
    }
    const decision first = overridden ? decision{overridden->action, overridden->reason} : decide(c, call);
    const call_flow flow = follow_flow(c, first, opts->digits, opts->dial_status, opts->ai_status, transfer, call);
    if (flow.digits_unused || flow.dial_unused || flow.ai_unused || flow.transfer_unused) {
      std::fprintf(stderr, "callpolicy eval: %s given, but this call never reaches %s\n",
                   flow.digits_unused ? "--digits"
                   : flow.dial_unused ? "--dial-status"
                   : flow.ai_unused   ? "--ai-status"
                                      : "--transfer",
                   flow.digits_unused ? "a menu or a callback offer" : flow.dial_unused ? "a forward" : "the AI");
      exit_code = exit_findings;
      return;
    }
    const decision& d = flow.steps.back();
    const bool caller_is_e164 = opts->caller.empty() ? match.via != via_kind::sip : is_e164(opts->caller);
    std::string twiml;
    const bool after_transfer = transfer && d.action == action_kind::forward;
    // A callback offered again keeps the reason it was first offered for.
    std::string_view offer_reason;
    for (const decision& step : flow.steps) {
      if (step.action == action_kind::callback && offer_reason.empty()) offer_reason = step.reason;
    }
    if (!flow.callback_number.empty()) {
      write_callback_taken_twiml(twiml, c.policy, flow.callback_number);
    } else {
      write_twiml(twiml, c, d,
                  {match.via, caller_is_e164, flow.menu_repeated, instant.instant, caller, {}, after_transfer, opts->to,
                   offer_reason},
                  {opts->public_url, opts->ai_sip, opts->ai_url});
    }
    const std::string local_time = format_local_time(c, instant.instant);
    explanation why;
    if (opts->explain) {
      const ast::clinic* source = find_clinic(parsed, c.policy.id);
      const local_parts local = to_local(c.zone, instant.instant);
      why = explain_call(*source, c.policy, *c.tables,
                         {local.date, static_cast<std::uint16_t>(local.seconds / 60), opts->calls, caller, match.via,
                          nullptr, {}, mean_call_seconds});
      if (overridden) {
        // The operator's override decides before any rule does.
        why.decided_by = "override";
        for (auto& r : why.rules) r.decided = false;
        why.facts.insert(why.facts.begin(), {"override", true, overridden->reason});
      }
    }
    if (opts->format == "json") {
      nlohmann::ordered_json steps = nlohmann::ordered_json::array();
      for (const decision& step : flow.steps) steps.push_back({{"action", action_name(step.action)}, {"reason", step.reason}});
      nlohmann::ordered_json j{{"version", eval_json_version},
                               {"clinic", c.policy.id},
                               {"via", via_name(match.via)},
                               {"action", action_name(d.action)},
                               {"reason", d.reason},
                               {"local_time", local_time},
                               {"calls", opts->calls},
                               {"twiml", twiml}};
      // Only when asked about, so that the plain answer keeps the shape docs/tooling.md gives it.
      if (!caller.empty()) j["caller"] = caller;
      if (flow.steps.size() > 1) j["flow"] = steps;
      if (!flow.callback_number.empty()) j["callback_number"] = flow.callback_number;
      if (opts->explain) j["explain"] = explain_json(why);
      std::puts(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else if (opts->format == "twiml") {
      std::puts(twiml.c_str());
    } else {
      std::string flow_text;
      bool transfer_told = !transfer;  // the AI's first step is its transfer, when one is given
      for (std::size_t i = 0; i < flow.steps.size(); ++i) {
        const decision& step = flow.steps[i];
        if (i > 0) {
          const action_kind before = flow.steps[i - 1].action;
          if (before == action_kind::ai && !transfer_told) {
            flow_text += fmt::format(" -> transfer {} -> ", *transfer);
            transfer_told = true;
          } else {
            flow_text += before == action_kind::menu || before == action_kind::callback
                             ? fmt::format(" -> digits {} -> ", opts->digits->empty() ? "none" : *opts->digits)
                         : before == action_kind::ai ? fmt::format(" -> ai {} -> ", *opts->ai_status)
                                                     : fmt::format(" -> dial {} -> ", *opts->dial_status);
          }
        }
        flow_text += fmt::format("{} ({})", action_name(step.action), step.reason);
      }
      std::fputs(fmt::format("clinic      {}\nvia         {}\naction      {}\nreason      {}\n"
                             "local time  {}\ncalls       {}\n{}{}twiml       {}\n",
                             c.policy.id, via_name(match.via), action_name(d.action), d.reason, local_time,
                             opts->calls, caller.empty() ? "" : fmt::format("caller      {}\n", caller),
                             flow.steps.size() > 1 ? fmt::format("flow        {}\n", flow_text) : "",
                             flow.callback_number.empty() ? twiml
                                                          : fmt::format("{}\ncall back   {}", twiml,
                                                                        flow.callback_number))
                     .c_str(),
                 stdout);
      if (opts->explain) std::fputs(explanation_text(why).c_str(), stdout);
    }
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
