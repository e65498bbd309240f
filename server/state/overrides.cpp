#include "server/state/overrides.h"

#include <charconv>
#include <mutex>

#include <fmt/format.h>

#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {

std::string clinic_override::encode() const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until.time_since_epoch()).count();
  return fmt::format("v1\t{}\t{}\t{}\t{}", action_name(action), ms, set_at, reason);
}

std::optional<clinic_override> clinic_override::decode(std::string_view clinic, std::string_view text) {
  std::string_view fields[5];
  for (std::size_t i = 0; i < 5; ++i) {
    const auto tab = i < 4 ? text.find('\t') : std::string_view::npos;
    if (i < 4 && tab == std::string_view::npos) return std::nullopt;
    fields[i] = text.substr(0, tab);
    text = tab == std::string_view::npos ? std::string_view{} : text.substr(tab + 1);
  }
  if (fields[0] != "v1") return std::nullopt;
  const auto action = action_from_name(fields[1]);
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), ms);
  if (!action || ec != std::errc{} || end != fields[2].data() + fields[2].size()) return std::nullopt;
  clinic_override o;
  o.clinic = std::string(clinic);
  o.action = *action;
  o.until = std::chrono::system_clock::time_point{std::chrono::milliseconds{ms}};
  o.set_at = std::string(fields[3]);
  o.reason = std::string(fields[4]);
  return o;
}

void log_override_restored(std::string_view clinic, bool ok, std::string_view error) {
  std::string line;
  json_line(line)
      .add("level", ok ? "warning" : "error")
      .add("time_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count())
      .add("message", ok ? "override written back: the state store had lost it"
                         : "override missing from the state store and not written back")
      .add("clinic", clinic)
      .add("error", error)
      .end_line();
  write_log(line);
}

std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  const auto days = static_cast<day_number>(s >= 0 ? s / 86400 : (s - 86399) / 86400);
  const auto rest = s - std::int64_t{days} * 86400;
  const civil_date c = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, rest / 3600, rest / 60 % 60,
                     rest % 60);
}

std::string override_json(const clinic_override& o) {
  std::string out;
  json_line(out)
      .add("clinic", o.clinic)
      .add("action", action_name(o.action))
      .add("until", rfc3339_utc(o.until))
      .add("reason", o.reason)
      .add("set_at", o.set_at)
      .end();
  return out;
}

bool override_table::active(std::string_view clinic, std::chrono::system_clock::time_point now,
                            action_kind& action, std::string& reason) const {
  if (size_.load(std::memory_order_acquire) == 0) return false;
  std::shared_lock lock(mutex_);
  const auto it = by_clinic_.find(clinic);
  if (it == by_clinic_.end() || it->second.until <= now) return false;
  action = it->second.action;
  reason.assign("override: ").append(it->second.reason);
  return true;
}

void override_table::put(clinic_override o) {
  std::unique_lock lock(mutex_);
  by_clinic_.insert_or_assign(o.clinic, std::move(o));
  size_ = by_clinic_.size();
}

bool override_table::erase(std::string_view clinic) {
  std::unique_lock lock(mutex_);
  const auto it = by_clinic_.find(clinic);
  if (it == by_clinic_.end()) return false;
  by_clinic_.erase(it);
  size_ = by_clinic_.size();
  return true;
}

void override_table::apply_shared(std::string_view clinic, std::string_view text) {
  if (text.empty() || text == cleared_override) {
    // The usual answer, for a clinic without one: no write lock for it.
    if (size_.load(std::memory_order_acquire) == 0) return;
    {
      std::shared_lock lock(mutex_);
      if (by_clinic_.find(clinic) == by_clinic_.end()) return;
    }
    erase(clinic);
    return;
  }
  if (auto o = clinic_override::decode(clinic, text)) put(std::move(*o));
}

std::vector<clinic_override> override_table::all(std::chrono::system_clock::time_point now) const {
  std::shared_lock lock(mutex_);
  std::vector<clinic_override> out;
  for (const auto& [clinic, o] : by_clinic_) {
    if (o.until > now) out.push_back(o);
  }
  return out;
}

}  // namespace callpolicy::server
