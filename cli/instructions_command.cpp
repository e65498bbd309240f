#include <chrono>

#include <fmt/format.h>

#include "authoring/onboarding.h"
#include "cli/commands.h"
#include "cli/policy_loading.h"

namespace callpolicy::cli {

void add_instructions_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("instructions", "onboarding steps for each integration a clinic uses");
  struct options {
    std::vector<std::string> paths;
    std::string clinic;
    onboarding_options onboarding;
  };
  auto opts = std::make_shared<options>();
  command->add_option("paths", opts->paths, "policy files and directories")->required();
  command->add_option("--clinic", opts->clinic, "the clinic's id")->required();
  command->add_option("--sip-domain", opts->onboarding.sip_domain,
                      "the Twilio SIP domain, e.g. parlae.sip.twilio.com (needed when the clinic has SIP users)");
  command->add_option("--public-url", opts->onboarding.public_url, "the server's public https URL, for webhooks");
  command->callback([opts, &exit_code] {
    const std::string& url = opts->onboarding.public_url;
    if (!url.empty() && (!url.starts_with("https://") || url.size() <= 8)) {
      std::fprintf(stderr, "callpolicy instructions: --public-url '%s' is not an https URL: Twilio sends patients' "
                   "numbers to it\n", url.c_str());
      exit_code = exit_usage;
      return;
    }
    while (!opts->onboarding.public_url.empty() && opts->onboarding.public_url.back() == '/') {
      opts->onboarding.public_url.pop_back();
    }
    opts->onboarding.today = static_cast<day_number>(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count());
    load_scope scope;
    scope.clinics.push_back(opts->clinic);
    scoped_set scoped;
    const bool usable = load_scoped_and_report(opts->paths, scope, "instructions", scoped, exit_code);
    if (!usable) return;
    for (const compiled_clinic& c : scoped.loaded.output.set.clinics) {
      if (c.id != opts->clinic) continue;
      const std::string& domain = opts->onboarding.sip_domain;
      if (!c.sip_users.empty() && (domain.size() <= 15 || !domain.ends_with(".sip.twilio.com"))) {
        std::fprintf(stderr, "callpolicy instructions: clinic '%s' has SIP users: give --sip-domain, a Twilio SIP "
                     "domain like parlae.sip.twilio.com%s\n",
                     c.id.c_str(), domain.empty() ? "" : fmt::format(" ('{}' is not one)", domain).c_str());
        exit_code = exit_usage;
        return;
      }
      std::fputs(onboarding_markdown(c, opts->onboarding).c_str(), stdout);
      exit_code = exit_ok;
      return;
    }
    report_unknown_clinic("instructions", opts->clinic, scoped.loaded.output.files);
    exit_code = exit_findings;
  });
}

}  // namespace callpolicy::cli
