#include "server/metrics.h"

#include <fmt/format.h>

namespace callpolicy::server {
namespace {
// Label values escape backslash, double quote and newline.
std::string label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

void metrics::count_request(std::string_view endpoint, unsigned status, std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  const auto known = requests_.find(request_view{endpoint, status});
  if (known != requests_.end()) {
    ++known->second;
  } else {
    requests_.emplace(std::tuple{std::string(endpoint), status}, 1);
  }
  std::size_t bucket = 0;
  while (bucket < buckets_.size() && seconds > buckets_[bucket]) ++bucket;
  ++latency_counts_[bucket];
  latency_sum_ += seconds;
}

void metrics::count_decision(std::string_view clinic, std::string_view action, std::string_view reason) {
  std::lock_guard lock(mutex_);
  const auto known = decisions_.find(decision_view{clinic, action, reason});
  if (known != decisions_.end()) {
    ++known->second;
  } else {
    decisions_.emplace(std::tuple{std::string(clinic), std::string(action), std::string(reason)}, 1);
  }
}

std::string metrics::render(const std::map<std::string, std::int32_t>& active_calls,
                            std::uint64_t reloads_ok, std::uint64_t reloads_failed,
                            std::size_t last_reload_errors, bool last_reload_ok,
                            std::size_t voicemails) const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP callpolicy_requests_total HTTP requests by endpoint and status code.\n"
         "# TYPE callpolicy_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("callpolicy_requests_total{{endpoint=\"{}\",code=\"{}\"}} {}\n", label(std::get<0>(key)),
                       std::get<1>(key), n);
  }
  out += "# HELP callpolicy_decisions_total Call decisions by clinic, action and reason.\n"
         "# TYPE callpolicy_decisions_total counter\n";
  for (const auto& [key, n] : decisions_) {
    out += fmt::format("callpolicy_decisions_total{{clinic=\"{}\",action=\"{}\",reason=\"{}\"}} {}\n",
                       label(std::get<0>(key)), label(std::get<1>(key)), label(std::get<2>(key)), n);
  }
  out += "# HELP callpolicy_reloads_total Policy reloads by result.\n"
         "# TYPE callpolicy_reloads_total counter\n";
  out += fmt::format("callpolicy_reloads_total{{result=\"ok\"}} {}\n", reloads_ok);
  out += fmt::format("callpolicy_reloads_total{{result=\"error\"}} {}\n", reloads_failed);
  out += "# HELP callpolicy_last_reload_ok Whether the last reload applied its set.\n"
         "# TYPE callpolicy_last_reload_ok gauge\n";
  out += fmt::format("callpolicy_last_reload_ok {}\n", last_reload_ok ? 1 : 0);
  out += "# HELP callpolicy_last_reload_errors Errors in the last reload's diagnostics.\n"
         "# TYPE callpolicy_last_reload_errors gauge\n";
  out += fmt::format("callpolicy_last_reload_errors {}\n", last_reload_errors);
  out += "# HELP callpolicy_active_calls Calls active per clinic.\n"
         "# TYPE callpolicy_active_calls gauge\n";
  for (const auto& [clinic, n] : active_calls) {
    out += fmt::format("callpolicy_active_calls{{clinic=\"{}\"}} {}\n", label(clinic), n);
  }
  out += "# HELP callpolicy_voicemails_total Voicemails journaled.\n"
         "# TYPE callpolicy_voicemails_total counter\n";
  out += fmt::format("callpolicy_voicemails_total {}\n", voicemails);
  out += "# HELP callpolicy_journal_skipped_records Journal lines skipped at the last replay.\n"
         "# TYPE callpolicy_journal_skipped_records gauge\n";
  out += fmt::format("callpolicy_journal_skipped_records {}\n", journal_skipped_.load());
  out += "# HELP callpolicy_request_duration_seconds Time from a request's arrival to its response.\n"
         "# TYPE callpolicy_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += latency_counts_[i];
    out += fmt::format("callpolicy_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", buckets_[i], cumulative);
  }
  cumulative += latency_counts_.back();
  out += fmt::format("callpolicy_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("callpolicy_request_duration_seconds_sum {}\n", latency_sum_);
  out += fmt::format("callpolicy_request_duration_seconds_count {}\n", cumulative);
  return out;
}

}  // namespace callpolicy::server
