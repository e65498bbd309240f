#include "cli/commands.h"
#include "cli/policy_loading.h"
#include "compiler/onboarding.h"

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
  command->add_option("--sip-domain", opts->onboarding.sip_domain, "the Twilio SIP domain, e.g. parlae.sip.twilio.com")
      ->required();
  command->add_option("--public-url", opts->onboarding.public_url, "the server's public URL, for webhooks");
  command->callback([opts, &exit_code] {
    load_scope scope;
    scope.clinics.push_back(opts->clinic);
    scoped_set scoped;
    const bool usable = load_scoped(opts->paths, {}, scope, {}, "instructions", scoped, exit_code);
    print_scoped_diagnostics(scoped.loaded, scoped.files, "text", stderr);
    if (!usable) return;
    for (const compiled_clinic& c : scoped.loaded.output.set.clinics) {
      if (c.id != opts->clinic) continue;
      std::fputs(onboarding_markdown(c, opts->onboarding).c_str(), stdout);
      exit_code = exit_ok;
      return;
    }
    std::fprintf(stderr, "callpolicy instructions: unknown clinic '%s'\n", opts->clinic.c_str());
    exit_code = exit_findings;
  });
}

}  // namespace callpolicy::cli
