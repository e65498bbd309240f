// `callpolicy instructions`: the onboarding steps, as Markdown, for each way
// a clinic's calls reach us (its numbers block): a carrier forward to our
// number, a ported number, a PBX sending calls to a Twilio SIP domain.
#pragma once

#include <string>

#include "compiler/compiled_policy.h"

namespace callpolicy {

struct onboarding_options {
  std::string sip_domain;  // e.g. "parlae.sip.twilio.com"
  std::string public_url;  // the server's URL, for the webhooks to configure
};

std::string onboarding_markdown(const compiled_clinic& clinic, const onboarding_options& options);

}  // namespace callpolicy
