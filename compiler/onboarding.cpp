#include "compiler/onboarding.h"

#include <fmt/format.h>

namespace callpolicy {

std::string onboarding_markdown(const compiled_clinic& c, const onboarding_options& o) {
  std::string out = fmt::format("# Connecting {} to the AI receptionist\n\n", c.name);
  out += fmt::format("Clinic id: `{}`. Time zone: {}. When the AI answers is set by the clinic's "
                     "policy (`{}`).\n",
                     c.id, c.timezone, c.mode);
  if (c.forwarded.empty() && c.ported.empty() && c.sip_users.empty()) {
    out += "\nThe clinic's policy lists no numbers yet: add a `numbers` block (ported, forwarded "
           "or sip) and run this command again.\n";
    return out;
  }
  if (!c.forwarded.empty()) {
    out += "\n## Call forwarding (fastest setup)\n\n";
    out += "The clinic keeps its number; its carrier forwards calls to ours.\n\n";
    out += "1. Call your phone carrier's business support (or open its admin portal).\n";
    out += fmt::format("2. Set up call forwarding to **{}**.\n", c.forwarded.front());
    if (c.forwarded.size() > 1) {
      std::string others;
      for (std::size_t i = 1; i < c.forwarded.size(); ++i) others += (others.empty() ? "" : ", ") + c.forwarded[i];
      out += fmt::format("   Further lines can forward to {}.\n", others);
    }
    out += "3. Choose **Always forward** to let the policy decide every call, or **Forward when "
           "busy / no answer** to send only the calls staff cannot take.\n";
    out += "4. Call your clinic number from another phone and check that the call is answered.\n\n";
    out += "Caller ID may show your clinic's number rather than the patient's, depending on the "
           "carrier, and keypad tones (press 1, 2) may not pass through a forward.\n";
  }
  if (!c.ported.empty()) {
    out += "\n## Porting the number to Twilio (best quality)\n\n";
    for (const std::string& n : c.ported) out += fmt::format("Number to port: **{}**.\n", n);
    out += "\n1. Prepare a Letter of Authorization (LOA) signed by the account holder.\n";
    out += "2. Get a recent bill from the current carrier showing the number, the account name "
           "and the service address.\n";
    out += "3. Check whether the number also carries fax lines or alarms: they move with it.\n";
    out += "4. Submit the port request. Porting takes **7 to 14 days**; keep the current service "
           "active until the port completes.\n";
    if (!o.public_url.empty()) {
      out += fmt::format("5. When the port completes, set the number's voice webhook to "
                         "`POST {0}/twilio/voice` and its status callback to `{0}/twilio/status`.\n",
                         o.public_url);
    }
  }
  if (!c.sip_users.empty()) {
    out += "\n## PBX over SIP (enterprise)\n\n";
    out += "Your phone system sends calls to a Twilio **Programmable Voice SIP Domain** (an Elastic "
           "SIP Trunk never calls a webhook, so it cannot be used here).\n\n";
    for (const std::string& u : c.sip_users) {
      out += fmt::format("SIP destination: **`{}@{}`**\n", u, o.sip_domain);
    }
    out += "\n### RingCentral\n\n";
    out += "1. Open the RingCentral Admin Portal.\n";
    out += "2. Go to Phone System > Auto-Receptionist (or the call queue that should reach the AI).\n";
    out += fmt::format("3. Add an external SIP destination: `{}@{}`.\n", c.sip_users.front(), o.sip_domain);
    out += "4. Set the routing rule (for example After Hours, or Overflow) to that destination.\n";
    out += "5. Save, then call the clinic outside hours to test.\n";
    out += "\n### Any other PBX (3CX, Bell, Telus, ...)\n\n";
    out += "1. Log in to the phone system's admin panel.\n";
    out += fmt::format("2. Add an external destination or SIP trunk to `{}@{}`.\n", c.sip_users.front(), o.sip_domain);
    out += "3. Route to it when the AI should answer (after hours, overflow, or a menu choice).\n";
    out += "4. Save and place a test call.\n";
    if (!o.public_url.empty()) {
      out += fmt::format("\nOn the Twilio side the SIP domain's voice URL is `POST {}/twilio/sip`.\n", o.public_url);
    }
  }
  return out;
}

}  // namespace callpolicy
