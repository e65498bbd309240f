#include <map>
#include <optional>
#include <memory>

#include <regex.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "runtime/evaluator.h"
#include "runtime/identify.h"
#include "runtime/twiml.h"

namespace callpolicy::cli {
namespace {

struct test_result {
  const ast::test_case* test = nullptr;
  std::string file;
  std::string failure;  // empty when it passed
};

std::string describe(std::string_view action, std::string_view reason) {
  return reason.empty() ? std::string(action) : fmt::format("{} (\"{}\")", action, reason);
}

test_result run_test(const policy_set& set, const ast::policy_file& file, const ast::test_case& t,
                     const std::vector<ast::policy_file>& files) {
  test_result r{&t, file.path, {}};
  // compile_sources has checked that this names a clinic of the set.
  const runtime_clinic* clinic = set.find_by_id(test_clinic_id(t, file, files));
  const resolved_instant at = resolve_instant(t.at->value, clinic->zone);
  const via_kind via = t.via ? t.via->value : via_kind::ported;
  // compile_sources has checked that the caller reads as a number.
  std::string caller_buffer;
  const std::string_view caller =
      t.caller ? caller_e164(t.caller->value, clinic->policy.region, caller_buffer) : std::string_view{};
  call_context call{at.instant, t.calls ? static_cast<std::int32_t>(t.calls->value) : 0, caller, via};
  if (t.mean_call) call.mean_call_seconds = static_cast<std::int32_t>(t.mean_call->value);
  const auto given = [](const auto& item) {
    return item ? std::optional<std::string_view>(item->value) : std::nullopt;
  };
  std::string transfer_buffer;
  const auto transfer = t.transfer ? std::optional<std::string_view>(
                                         caller_e164(t.transfer->value, clinic->policy.region, transfer_buffer))
                                   : std::nullopt;
  const call_flow flow =
      follow_flow(*clinic, decide(*clinic, call), given(t.digits), given(t.dial), given(t.ai), transfer, call);
  const decision& d = flow.steps.back();
  const action_kind expected = t.expect->value == ast::action_ref::fallback
                                   ? clinic->policy.fallback
                                   : static_cast<action_kind>(t.expect->value);
  if (flow.digits_unused || flow.dial_unused || flow.ai_unused || flow.transfer_unused) {
    const std::string_view item = flow.digits_unused ? "digits"
                                  : flow.dial_unused ? "dial"
                                  : flow.ai_unused   ? "ai"
                                                     : "transfer";
    const std::string_view step = flow.digits_unused ? "a menu or a callback offer" : flow.dial_unused ? "a forward" : "the AI";
    r.failure = fmt::format("'{}' is given, but the call never reaches {}: it ends in {} at {}", item, step,
                            describe(action_name(d.action), d.reason), format_local_time(*clinic, at.instant));
    return r;
  }
  const bool action_ok = d.action == expected;
  const bool reason_ok = !t.reason || t.reason->value == d.reason;
  if (!action_ok || !reason_ok) {
    r.failure = fmt::format("expected {}, got {} at {}",
                            describe(action_name(expected), t.reason ? t.reason->value : ""),
                            describe(action_name(d.action), d.reason),
                            format_local_time(*clinic, at.instant));
  }
  return r;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  append_xml_escaped(out, text);
  return out;
}

std::string junit(const std::vector<test_result>& results, std::size_t failures) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += fmt::format("\n<testsuites name=\"callpolicy\" tests=\"{}\" failures=\"{}\">\n",
                     results.size(), failures);
  std::map<std::string, std::vector<const test_result*>> by_file;
  for (const test_result& r : results) by_file[r.file].push_back(&r);
  for (const auto& [file, tests] : by_file) {
    std::size_t failed = 0;
    for (const test_result* r : tests) failed += r->failure.empty() ? 0 : 1;
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n", xml_escaped(file),
                       tests.size(), failed);
    for (const test_result* r : tests) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xml_escaped(file),
                         xml_escaped(r->test->name));
      if (r->failure.empty()) {
        out += "/>\n";
      } else {
        out += fmt::format(">\n      <failure message=\"{}\">{}:{}:{}</failure>\n    </testcase>\n",
                           xml_escaped(r->failure), xml_escaped(file), r->test->where.line,
                           r->test->where.column);
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace

void add_test_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("test", "run the test blocks of policies");
  struct options {
    std::vector<std::string> paths;
    std::vector<std::string> context;
    std::string format = "text";
    std::string run;
    bool verbose = false;
    bool quiet = false;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--format", opts->format, "text or junit")
      ->check(CLI::IsMember({"text", "junit"}));
  command->add_option("--context", opts->context,
                      "more files and directories, read for their clinics and calendars; their tests do not run")
      ->type_name("PATH");
  command->add_option("--run", opts->run, "run only the tests whose name matches this regular expression");
  auto* verbose = command->add_flag("-v,--verbose", opts->verbose, "print every test, passed or not");
  command->add_flag("-q,--quiet", opts->quiet, "print failures only, no summary")->excludes(verbose);
  command->callback([opts, &exit_code] {
    // POSIX extended syntax, as grep -E: std::regex trips g++ 12's
    // maybe-uninitialized warning under the sanitizers.
    std::shared_ptr<regex_t> only;
    if (!opts->run.empty()) {
      only.reset(new regex_t, [](regex_t* r) {
        regfree(r);
        delete r;
      });
      if (const int error = regcomp(only.get(), opts->run.c_str(), REG_EXTENDED | REG_NOSUB); error != 0) {
        char why[256];
        regerror(error, only.get(), why, sizeof why);
        only.reset(new regex_t, [](regex_t* r) { delete r; });
        std::fprintf(stderr, "callpolicy test: --run '%s' is not a regular expression: %s\n", opts->run.c_str(), why);
        exit_code = exit_usage;
        return;
      }
    }
    load_scope scope;
    scope.tests = true;
    scoped_set scoped;
    const bool usable = load_scoped_and_report(opts->paths, scope, "test", scoped, exit_code, opts->context);
    if (!usable) {
      if (exit_code == exit_findings) std::fputs("callpolicy test: the policies have errors; no test ran\n", stderr);
      return;
    }
    std::vector<ast::policy_file> files = std::move(scoped.loaded.output.files);
    const auto set = load_runtime(scoped.loaded, "test", exit_code);
    if (!set) return;
    std::vector<test_result> results;
    for (const ast::policy_file& file : files) {
      if (!scoped.given.count(file.path)) continue;  // a --context file's tests are not asked for
      for (const ast::test_case& t : file.tests) {
        if (only && regexec(only.get(), t.name.c_str(), 0, nullptr, 0) != 0) continue;
        results.push_back(run_test(*set, file, t, files));
      }
    }
    std::size_t failures = 0;
    for (const test_result& r : results) failures += r.failure.empty() ? 0 : 1;
    if (opts->format == "junit") {
      std::fputs(junit(results, failures).c_str(), stdout);
    } else {
      for (const test_result& r : results) {
        if (r.failure.empty()) {
          if (opts->verbose) {
            std::fputs(fmt::format("{}:{}:{}: test \"{}\" passed\n", r.file, r.test->where.line,
                                   r.test->where.column, r.test->name)
                           .c_str(),
                       stdout);
          }
          continue;
        }
        std::fputs(fmt::format("{}:{}:{}: test \"{}\" failed: {}\n", r.file, r.test->where.line,
                               r.test->where.column, r.test->name, r.failure)
                       .c_str(),
                   stdout);
      }
      if (!opts->quiet) {
        std::fputs(fmt::format("{} passed, {} failed\n", results.size() - failures, failures).c_str(), stdout);
      }
    }
    exit_code = failures == 0 ? exit_ok : exit_findings;
  });
}

}  // namespace callpolicy::cli
