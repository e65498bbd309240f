#include "runtime/evaluator.h"

#include <algorithm>
#include <array>
#include <climits>
#include <charconv>
#include <string>

#include "model/phone_numbers.h"
#include "model/time_tables.h"

namespace callpolicy {
namespace {

// The least count of active calls at which `p` holds, for a predicate that
// holds from some count on (the counts', and the estimated wait's for a
// given mean call length); nullopt for any other.
std::optional<std::int32_t> first_count_holding(const compiled_clinic& c, const predicate& p,
                                                std::int32_t mean_call_seconds) {
  if (p.type == predicate::kind::calls_at_least) return p.threshold;
  if (p.type != predicate::kind::wait_above && p.type != predicate::kind::wait_at_least) return std::nullopt;
  if (!compare_wait(c.lines, 0, mean_call_seconds, 0)) return std::nullopt;  // unknown: never holds
  // The calls waiting, w = count - lines + 1, must make w x mean pass threshold x lines.
  const std::int64_t bar = std::int64_t{p.threshold} * c.lines;
  const std::int64_t waiting = p.type == predicate::kind::wait_above ? bar / mean_call_seconds + 1
                                                                       : (bar + mean_call_seconds - 1) / mean_call_seconds;
  if (waiting <= 0) return 0;
  return static_cast<std::int32_t>(std::min<std::int64_t>(waiting + c.lines - 1, INT32_MAX));
}

}  // namespace

decision decide(const runtime_clinic& clinic, const call_context& call) noexcept {
  const local_parts local = to_local(clinic.zone, call.at);
  local_call lc{local.date, static_cast<std::uint16_t>(local.seconds / 60), call.active_calls, call.caller, call.via};
  lc.mean_call_seconds = call.mean_call_seconds;
  const std::int32_t leaf = decide_leaf(clinic.policy, *clinic.tables, lc);
  const tree_leaf& l = clinic.policy.leaves[static_cast<std::size_t>(leaf)];
  return {l.action, l.reason};
}

void ai_by_count(const runtime_clinic& clinic, const call_context& call, std::string& out) {
  const local_parts local = to_local(clinic.zone, call.at);
  local_call lc{local.date, static_cast<std::uint16_t>(local.seconds / 60), 0, call.caller, call.via};
  lc.mean_call_seconds = call.mean_call_seconds;
  const auto ai_at = [&](std::int32_t active) {
    lc.active_calls = active;
    return clinic.policy.leaves[static_cast<std::size_t>(decide_leaf(clinic.policy, *clinic.tables, lc))].action ==
           action_kind::ai;
  };
  bool wanted = ai_at(0);
  out.assign(1, wanted ? '1' : '0');
  // The answer can change only where a count predicate does: at its
  // thresholds, taken in increasing order without sorting (there are few).
  // Each such predicate turns true at one count and stays so.
  std::int32_t previous = 0;
  while (true) {
    std::int32_t next = previous;
    for (const predicate& p : clinic.policy.predicates) {
      const std::optional<std::int32_t> from = first_count_holding(clinic.policy, p, call.mean_call_seconds);
      if (from && *from > previous && (next == previous || *from < next)) next = *from;
    }
    if (next == previous) return;
    previous = next;
    if (ai_at(next) == wanted) continue;
    wanted = !wanted;
    std::array<char, 12> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), next).ptr;
    out += ',';
    out.append(digits.data(), end);
  }
}

bool ai_at_count(std::string_view pattern, std::int32_t active_calls) noexcept {
  if (pattern.empty()) return false;
  bool wanted = pattern[0] == '1';
  std::size_t at = 1;
  while (at < pattern.size() && pattern[at] == ',') {
    std::int32_t flip = 0;
    const auto [end, error] = std::from_chars(pattern.data() + at + 1, pattern.data() + pattern.size(), flip);
    if (error != std::errc{} || active_calls < flip) break;
    wanted = !wanted;
    at = static_cast<std::size_t>(end - pattern.data());
  }
  return wanted;
}

bool answered_dial_status(std::string_view status) noexcept {
  return status == "completed" || status == "answered";
}

decision after_refer(const runtime_clinic& clinic, const call_context& call, std::string_view target) noexcept {
  if (clinic.policy.transfer.configured) {
    const local_parts local = to_local(clinic.zone, call.at);
    local_call lc{local.date, static_cast<std::uint16_t>(local.seconds / 60), call.active_calls, call.caller,
                  call.via};
    lc.transfer_target = target;
    const tree_leaf& l =
        clinic.policy.transfer.leaves[static_cast<std::size_t>(decide_transfer_leaf(clinic.policy, *clinic.tables, lc))];
    return {l.action, l.reason};
  }
  const forward_config& f = clinic.policy.forward;
  if (!target.empty() && !f.number.empty() && target == f.number) return {action_kind::forward, "transfer"};
  return {action_kind::voicemail, transfer_refused_reason};
}

decision after_dial(const runtime_clinic& clinic, std::string_view status, bool bridged, bool after_transfer) noexcept {
  if (answered_dial_status(status) && bridged) return {action_kind::hangup, "answered"};
  if (after_transfer && clinic.policy.forward.unanswered == action_kind::ai) {
    return {action_kind::voicemail, "unanswered transfer"};
  }
  return {clinic.policy.forward.unanswered, "unanswered"};
}

decision after_ai(const runtime_clinic& clinic, std::string_view status) noexcept {
  if (answered_dial_status(status)) return {action_kind::hangup, "answered"};
  return when_ai_unavailable(clinic, ai_unavailable_reason);
}

decision when_ai_unavailable(const runtime_clinic& clinic, std::string_view reason) noexcept {
  // A follow-on the clinic cannot play (its forward or menu removed by a
  // reload while the call was with the AI) still ends in a message box.
  const action_kind next = clinic.policy.ai.unavailable;
  return {can_answer_with(clinic.policy, next) || next == action_kind::hangup ? next : action_kind::voicemail, reason};
}

decision after_menu(const runtime_clinic& clinic, std::string_view digits, bool repeated) noexcept {
  static constexpr std::array<std::string_view, menu_key_count> key_reasons{
      "menu 0", "menu 1", "menu 2", "menu 3", "menu 4", "menu 5", "menu 6", "menu 7", "menu 8", "menu 9", "menu *"};
  const menu_config& menu = clinic.policy.menu;
  // A caller answering a menu that a reload has since removed: the menu
  // cannot be played again (it has no keys), so the clinic's fallback takes
  // the call, or voicemail where the fallback was that menu.
  if (!menu.configured) {
    return {clinic.policy.fallback == action_kind::menu ? action_kind::voicemail : clinic.policy.fallback,
            "menu removed"};
  }
  const decision timeout{menu.on_timeout, "menu timeout"};
  if (digits.empty()) return timeout;
  const int key = digits.size() == 1 ? menu_key_index(digits[0]) : -1;
  if (key >= 0) {
    if (const auto& action = menu.keys[static_cast<std::size_t>(key)]) {
      return {*action, key_reasons[static_cast<std::size_t>(key)]};
    }
  }
  return repeated ? timeout : decision{action_kind::menu, menu_repeat_reason};
}

callback_answer after_callback(const runtime_clinic& clinic, std::string_view digits, std::string_view caller,
                               bool repeated) {
  const callback_config& offer = clinic.policy.callback;
  // `otherwise` as for a menu's: a forward a reload removed ends in a message box.
  const auto otherwise = [&](std::string_view reason) -> callback_answer {
    const action_kind next = can_answer_with(clinic.policy, offer.otherwise) || offer.otherwise == action_kind::hangup
                                 ? offer.otherwise
                                 : action_kind::voicemail;
    return {{next, reason}, {}};
  };
  if (digits.empty()) return otherwise("callback timeout");
  std::optional<std::string> number;
  if (digits == "1") {
    if (is_e164(caller)) number = std::string(caller);
  } else if (digits.size() <= 17 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
    // A keypad has no '+': without a region the digits are taken to start
    // with the country code.
    number = clinic.policy.region.empty() ? to_e164("+" + std::string(digits), "")
                                          : to_e164(digits, clinic.policy.region);
  }
  if (number) return {{action_kind::hangup, callback_requested_reason}, std::move(*number)};
  if (repeated) return otherwise("callback invalid number");
  return {{action_kind::callback, callback_retry_reason}, {}};
}

call_flow follow_flow(const runtime_clinic& clinic, const decision& first, std::optional<std::string_view> digits,
                      std::optional<std::string_view> dial_status, std::optional<std::string_view> ai_status,
                      std::optional<std::string_view> transfer, const call_context& call) {
  call_flow flow;
  flow.steps.push_back(first);
  bool transferred = false;
  while (true) {
    const decision& now = flow.steps.back();
    if (now.action == action_kind::menu && digits) {
      flow.steps.push_back(after_menu(clinic, *digits, false));
      digits.reset();
    } else if (now.action == action_kind::callback && digits) {
      callback_answer answer = after_callback(clinic, *digits, call.caller, false);
      flow.steps.push_back(answer.next);
      flow.callback_number = std::move(answer.number);
      digits.reset();
    } else if (now.action == action_kind::forward && dial_status) {
      flow.steps.push_back(after_dial(clinic, *dial_status, true, transferred));
      dial_status.reset();
    } else if (now.action == action_kind::ai && transfer) {
      // The AI hands the caller on before its leg ends.
      flow.steps.push_back(after_refer(clinic, call, *transfer));
      transfer.reset();
      transferred = true;
    } else if (now.action == action_kind::ai && ai_status) {
      flow.steps.push_back(after_ai(clinic, *ai_status));
      ai_status.reset();
    } else {
      break;
    }
  }
  flow.digits_unused = digits.has_value();
  flow.dial_unused = dial_status.has_value();
  flow.ai_unused = ai_status.has_value();
  flow.transfer_unused = transfer.has_value();
  flow.menu_repeated = flow.steps.size() > 1 && flow.steps.back().reason == menu_repeat_reason;
  return flow;
}

std::string format_local_time(const runtime_clinic& clinic, std::chrono::sys_seconds at) {
  return format_rfc3339_local(clinic.zone, at);
}

bool can_answer_with(const compiled_clinic& c, action_kind action) noexcept {
  if (action == action_kind::forward) return !c.forward.number.empty();
  if (action == action_kind::menu) return c.menu.configured;
  return action != action_kind::hangup;
}

}  // namespace callpolicy
