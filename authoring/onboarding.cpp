#include "authoring/onboarding.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/canonical.h"
#include "model/time_tables.h"

namespace callpolicy {
namespace {

// "A", "A and B", "A, B and C": how the office manager reads a list.
std::string in_words(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return out;
}

// Minutes [start, end) of one day.
using spans = std::vector<std::pair<int, int>>;

// A date on `weekday` from `today` on that is neither a holiday nor a
// special day: what that weekday is like in an ordinary week.
day_number ordinary(const compiled_clinic& c, const clinic_tables& t, day_number today, int weekday) {
  day_number d = today + (weekday - weekday_of(today) + 7) % 7;
  for (int tries = 0; tries < 60; ++tries, d += 7) {
    const bool special = std::any_of(c.specials.begin(), c.specials.end(), [&](const special_day& s) {
      return s.date == d || s.date == d - 1;
    });
    if (!special && !holiday_rules_hold(t, d) && !holiday_rules_hold(t, d - 1)) return d;
  }
  return d;
}

std::string phrase(const spans& s) {
  if (s.size() == 1 && s[0] == std::pair{0, minutes_per_day}) return "all day";
  std::vector<std::string> parts;
  for (const auto& [from, to] : s) {
    if (from == 0) {
      parts.push_back("before " + format_clock(static_cast<std::uint16_t>(to)));
    } else if (to == minutes_per_day) {
      parts.push_back("after " + format_clock(static_cast<std::uint16_t>(from)));
    } else {
      parts.push_back(fmt::format("{}-{}", format_clock(static_cast<std::uint16_t>(from)),
                                  format_clock(static_cast<std::uint16_t>(to))));
    }
  }
  return in_words(parts);
}

// "weekdays", "weekends", "every day", "Monday to Thursday", "Saturdays".
std::string day_words(day_mask days) {
  static constexpr std::array<std::string_view, 7> names{"Monday", "Tuesday", "Wednesday", "Thursday",
                                                          "Friday", "Saturday", "Sunday"};
  if (days == all_days) return "every day";
  if (days == weekdays_mask) return "weekdays";
  if (days == weekends_mask) return "weekends";
  std::vector<std::string> parts;
  for (int d = 0; d < 7;) {
    if (!(days & day_bit(d))) {
      ++d;
      continue;
    }
    int end = d;
    while (end + 1 < 7 && (days & day_bit(end + 1))) ++end;
    if (end - d >= 2) {
      parts.push_back(fmt::format("{} to {}", names[static_cast<std::size_t>(d)], names[static_cast<std::size_t>(end)]));
    } else {
      for (int k = d; k <= end; ++k) parts.push_back(std::string(names[static_cast<std::size_t>(k)]) + "s");
    }
    d = end + 1;
  }
  return in_words(parts);
}

std::string_view fallback_words(action_kind a) {
  switch (a) {
    case action_kind::voicemail: return "voicemail";
    case action_kind::forward: return "your staff";
    case action_kind::busy: return "a busy message";
    case action_kind::menu: return "a keypad menu";
    case action_kind::callback: return "an offer to call back";
    default: return "the fallback";
  }
}

}  // namespace

namespace {

// The week in which the AI answers, for calls through `via` while `calls`
// others are in progress, as the decision tree says: "weekdays before 09:00
// and after 17:00; weekends all day; and on holidays". Empty when never.
std::string ai_week(const compiled_clinic& c, const clinic_tables& t, day_number today, via_kind via,
                    std::int32_t calls) {
  const auto spans_of = [&](day_number date) {
    spans out;
    for (int m = 0; m < minutes_per_day; ++m) {
      const local_call call{date, static_cast<std::uint16_t>(m), calls, {}, via};
      if (c.leaves[static_cast<std::size_t>(decide_leaf(c, t, call))].action != action_kind::ai) continue;
      if (!out.empty() && out.back().second == m) {
        out.back().second = m + 1;
      } else {
        out.emplace_back(m, m + 1);
      }
    }
    return out;
  };
  std::vector<std::pair<day_mask, spans>> groups;  // days with the same hours, in weekday order
  for (int d = 0; d < 7; ++d) {
    const spans s = spans_of(ordinary(c, t, today, d));
    const auto same = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.second == s; });
    if (same != groups.end()) {
      same->first |= day_bit(d);
    } else {
      groups.emplace_back(day_bit(d), s);
    }
  }
  std::vector<std::string> parts;
  for (const auto& [days, s] : groups) {
    if (!s.empty()) parts.push_back(day_words(days) + " " + phrase(s));
  }
  // Holidays: whether the next holiday of the coming year is answered by the AI all day.
  for (day_number d = today; d < today + 366 && !c.holidays.empty(); ++d) {
    if (!is_holiday(t, d)) continue;
    if (spans_of(d) == spans{{0, minutes_per_day}}) parts.push_back("on holidays");
    break;
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? (parts.size() > 2 ? "; and " : " and ") : "; ") + parts[i];
  }
  return out;
}

// One integration's sentence: who answers with no other call in progress,
// then what changes at each call count the policy tests.
std::string ai_summary(const compiled_clinic& c, const clinic_tables& t, day_number today, via_kind via) {
  std::vector<std::int32_t> counts{0};
  for (const predicate& p : c.predicates) {
    if (p.type == predicate::kind::calls_at_least && p.threshold > 0) counts.push_back(p.threshold);
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  // Every minute of every weekday: holidays cannot add to that.
  const auto everything = [](const std::string& week) { return week.starts_with("every day all day"); };
  const std::string base = ai_week(c, t, today, via, 0);
  std::string out = base.empty()     ? "the AI answers no call when no other calls are in progress"
                    : everything(base) ? "the AI answers every call"
                                       : "the AI answers " + base;
  std::string previous = base;
  for (std::size_t i = 1; i < counts.size(); ++i) {
    const std::string busy = ai_week(c, t, today, via, counts[i]);
    if (busy == previous) continue;
    const std::string when = fmt::format("with {} or more calls already in progress", counts[i]);
    out += busy.empty()                 ? fmt::format("; {}, it answers none", when)
           : everything(busy)            ? fmt::format("; {}, it answers every call", when)
                                         : fmt::format("; {}, it answers {}", when, busy);
    previous = busy;
  }
  return out;
}

std::string_view via_words(via_kind via) {
  switch (via) {
    case via_kind::ported: return "Calls to the clinic's own (ported) number";
    case via_kind::forwarded: return "Calls the phone company forwards";
    case via_kind::sip: return "Calls from the office phone system (SIP)";
  }
  return "Calls";
}

}  // namespace

std::string when_the_ai_answers(const compiled_clinic& c, day_number today) {
  // These modes decide alike for every integration, every hour and every day.
  if (c.mode == "always") return "The AI answers every call, day and night.";
  if (c.mode == "disabled") {
    return fmt::format("The AI never answers: every call goes to {}.", fallback_words(c.fallback));
  }
  if (c.mode == "overflow-only" && c.overflow_threshold) {
    return fmt::format("Staff answer; the AI answers when {} or more calls are already in progress.",
                       *c.overflow_threshold);
  }
  const clinic_tables t = build_tables(c);
  std::vector<via_kind> vias;
  if (!c.ported.empty()) vias.push_back(via_kind::ported);
  if (!c.forwarded.empty()) vias.push_back(via_kind::forwarded);
  if (!c.sip_users.empty()) vias.push_back(via_kind::sip);
  if (vias.empty()) vias.push_back(default_via(c));
  std::vector<std::pair<via_kind, std::string>> sentences;
  for (const via_kind via : vias) sentences.emplace_back(via, ai_summary(c, t, today, via));
  const bool all_same = std::all_of(sentences.begin(), sentences.end(),
                                    [&](const auto& s) { return s.second == sentences.front().second; });
  std::string out;
  if (all_same) {
    std::string text = sentences.front().second;
    text[0] = static_cast<char>(text[0] - 'a' + 'A');
    out = text + ".";
  } else {
    for (const auto& [via, text] : sentences) {
      out += (out.empty() ? "" : " ") + fmt::format("{}: {}.", via_words(via), text);
    }
  }
  // What follows a first answer that is not the AI, where it leads to the AI.
  const bool forwards = std::any_of(c.leaves.begin(), c.leaves.end(),
                                    [](const tree_leaf& l) { return l.action == action_kind::forward; });
  const bool menus = std::any_of(c.leaves.begin(), c.leaves.end(),
                                 [](const tree_leaf& l) { return l.action == action_kind::menu; });
  if (forwards && c.forward.unanswered == action_kind::ai) {
    out += fmt::format(" A call forwarded to staff that nobody answers within {} seconds goes to the AI.",
                       c.forward.timeout_seconds);
  }
  if (menus) {
    std::vector<std::string> keys;
    for (std::size_t k = 0; k < menu_key_count; ++k) {
      if (c.menu.keys[k] == action_kind::ai) keys.push_back(std::string(1, menu_key_char(k)));
    }
    out += keys.empty() ? " Some calls hear a keypad menu first, which does not lead to the AI."
                        : fmt::format(" Some calls hear a keypad menu first; pressing {} reaches the AI.",
                                      fmt::join(keys, " or "));
  }
  return out;
}

std::string onboarding_markdown(const compiled_clinic& c, const onboarding_options& o) {
  std::string out = fmt::format("# Connecting {} to the AI receptionist\n\n", c.name);
  out += when_the_ai_answers(c, o.today) + "\n\n";
  out += fmt::format("Clinic id: `{}`. Times are in {}. These steps follow from the clinic's policy file; "
                     "if the hours are wrong, change the policy, not the phone system.\n",
                     c.id, c.timezone);
  if (c.forwarded.empty() && c.ported.empty() && c.sip_users.empty()) {
    out += "\nThe clinic's policy lists no numbers yet: add a `numbers` block (ported, forwarded "
           "or sip) and run this command again.\n";
    return out;
  }
  const std::string base = o.public_url.empty() ? "https://YOUR-SERVER" : o.public_url;
  const auto twilio_number_step = [&](int step, std::string_view number) {
    return fmt::format("{}. In the Twilio Console, open the number **{}** (Phone Numbers > Manage > Active "
                       "numbers). Under Voice, set \"A call comes in\" to Webhook, `POST {}/twilio/voice`, "
                       "and \"Call status changes\" to `{}/twilio/status`. Save.\n",
                       step, number, base, base);
  };
  if (!c.forwarded.empty()) {
    out += "\n## Call forwarding (fastest setup)\n\n";
    out += "The clinic keeps its own number; its phone company sends calls on to ours.\n\n";
    out += twilio_number_step(1, c.forwarded.front());
    out += "2. Call your phone company's business support (or open its online account).\n";
    out += fmt::format("3. Set up call forwarding to **{}**.\n", c.forwarded.front());
    if (c.forwarded.size() > 1) {
      std::string others;
      for (std::size_t i = 1; i < c.forwarded.size(); ++i) others += (others.empty() ? "" : ", ") + c.forwarded[i];
      out += fmt::format("   Further lines can forward to {} (set each up in Twilio as in step 1).\n", others);
    }
    out += "4. Choose **Always forward** to let the policy decide every call, or **Forward when "
           "busy / no answer** to send only the calls staff cannot take.\n";
    out += "5. Call your clinic number from another phone and check that the call is answered.\n\n";
    // What "always forward" does to a call during business hours under this policy.
    const clinic_tables t = build_tables(c);
    bool daytime_voicemail = false;
    for (int d = 0; d < 7 && !daytime_voicemail; ++d) {
      const day_number date = ordinary(c, t, o.today, d);
      for (int m = 0; m < minutes_per_day && !daytime_voicemail; m += 15) {
        if (!is_open(t, date, static_cast<std::uint16_t>(m))) continue;
        const local_call call{date, static_cast<std::uint16_t>(m), 0, {}, via_kind::forwarded};
        const action_kind a = c.leaves[static_cast<std::size_t>(decide_leaf(c, t, call))].action;
        daytime_voicemail = a == action_kind::voicemail || a == action_kind::busy;
      }
    }
    if (daytime_voicemail) {
      out += "**Warning:** with **Always forward**, calls during business hours reach us too, and this "
             "policy sends them to voicemail (or a busy message), not to your staff. Choose **Forward when "
             "busy / no answer**, or change the policy's `fallback` to `forward` with your front desk's "
             "number.\n\n";
    }
    out += "Caller ID may show your clinic's number rather than the patient's, depending on the "
           "phone company, and keypad tones (press 1, 2) may not pass through a forward.\n";
  }
  if (!c.ported.empty()) {
    out += "\n## Porting the number to Twilio (best quality)\n\n";
    for (const std::string& n : c.ported) out += fmt::format("Number to port: **{}**.\n", n);
    out += "\n1. Prepare a Letter of Authorization (LOA) signed by the account holder.\n";
    out += "2. Get a recent bill from the current phone company showing the number, the account name "
           "and the service address.\n";
    out += "3. Check whether the number also carries fax lines or alarms: they move with it.\n";
    out += "4. Submit the port request. Porting takes **7 to 14 days**; keep the current service "
           "active until the port completes.\n";
    out += twilio_number_step(5, c.ported.front());
  }
  if (!c.sip_users.empty()) {
    out += "\n## Phone system (PBX) over SIP (enterprise)\n\n";
    out += "Your phone system sends calls to a Twilio **Programmable Voice SIP Domain** (an Elastic "
           "SIP Trunk never calls a webhook, so it cannot be used here).\n\n";
    out += "Destinations (one per line your phone system should reach us on):\n\n";
    for (const std::string& u : c.sip_users) out += fmt::format("- **`{}@{}`**\n", u, o.sip_domain);
    out += fmt::format("\n### In Twilio (once, for the domain {})\n\n", o.sip_domain);
    out += fmt::format("1. Console > Voice > SIP Domains > **{}**: set \"A call comes in\" to Webhook, "
                       "`POST {}/twilio/sip`.\n",
                       o.sip_domain, base);
    out += "2. Let only your phone system in: under **Voice Authentication**, add an **IP Access Control "
           "List** with your PBX's public IP addresses, or a **Credential List** with a username and a long "
           "password that the PBX registers with. Without one, Twilio refuses every call.\n";
    const auto destinations = [&] {
      std::vector<std::string> all;
      for (const std::string& user : c.sip_users) all.push_back(fmt::format("`{}@{}`", user, o.sip_domain));
      return in_words(all);
    }();
    out += "\n### RingCentral\n\n";
    out += "1. Open the RingCentral Admin Portal.\n";
    out += "2. Go to Phone System > Auto-Receptionist (or the call queue that should reach the AI).\n";
    out += fmt::format("3. Add an external SIP destination for {}.\n", destinations);
    out += "4. Set the routing rule (for example After Hours, or Overflow) to that destination.\n";
    out += "5. Save, then call the clinic outside hours to test.\n";
    out += "\n### Any other phone system (3CX, Bell, Telus, ...)\n\n";
    out += "1. Log in to the phone system's admin panel.\n";
    out += fmt::format("2. Add an external destination or SIP trunk for {}, with the credentials of step 2 "
                       "above if you chose a credential list.\n",
                       destinations);
    out += "3. Route to it when the AI should answer (after hours, overflow, or a menu choice).\n";
    out += "4. Save and place a test call.\n";
  }
  // Every integration reaches Twilio's webhook; with no server to answer it,
  // the Fallback URL's static document still gets the call somewhere.
  static constexpr std::array<std::string_view, action_count> unreachable_words{
      "", "takes a message", "is forwarded to " , "hears the busy message", "", "", ""};
  out += "\n## When our servers cannot answer\n\n";
  out += fmt::format("If no callpolicy server answers Twilio, a call {}{}. For that, whoever runs the servers "
                     "builds the static documents with `callpolicy compile RULES --fallback-dir OUT`, hosts `OUT/` "
                     "on any static web host, and sets the Voice **Fallback URL** (\"Primary handler fails\") of ",
                     unreachable_words[static_cast<std::size_t>(c.unreachable)],
                     c.unreachable == action_kind::forward ? c.forward.number + " (then a message if nobody answers)"
                                                           : std::string());
  std::vector<std::string> where;
  for (const std::string& n : c.ported) where.push_back("**" + n + "**");
  for (const std::string& n : c.forwarded) where.push_back("**" + n + "**");
  out += where.empty() ? std::string("the clinic's numbers") : in_words(where);
  out += fmt::format(" to `https://YOUR-STATIC-HOST/{}.xml`, method **GET**.", c.id);
  if (!c.sip_users.empty()) {
    out += fmt::format(" The SIP domain **{}** has one Fallback URL for every clinic on it: point it at the "
                       "document of the clinic whose staff should take those calls.",
                       o.sip_domain);
  }
  out += "\n";
  return out;
}

}  // namespace callpolicy
