// `callpolicy instructions`: the onboarding steps, as Markdown, for each way
// a clinic's calls reach us (its numbers block): a carrier forward to our
// number, a ported number, a PBX sending calls to a Twilio SIP domain.
#pragma once

#include <string>

#include "model/compiled_policy.h"

namespace callpolicy {

struct onboarding_options {
  std::string sip_domain;  // e.g. "parlae.sip.twilio.com"; needed when the clinic has SIP users
  std::string public_url;  // the server's https URL, for the webhooks to configure
  day_number today = 0;    // the week described is the next ordinary one from here
};

std::string onboarding_markdown(const compiled_clinic& clinic, const onboarding_options& options);

// One sentence an office manager reads: "The AI answers weekdays before
// 09:00 and after 17:00, weekends all day and on holidays."
std::string when_the_ai_answers(const compiled_clinic& clinic, day_number today);

}  // namespace callpolicy
