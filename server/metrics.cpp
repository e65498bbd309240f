#include "server/metrics.h"

#include <algorithm>
#include <utility>

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

std::atomic<std::uint64_t> next_metrics_id{1};

}  // namespace

metrics::metrics() : id_(next_metrics_id++) {}
metrics::~metrics() = default;

std::size_t metrics::by_views::hash(const request_view& k) {
  return std::hash<std::string_view>{}(std::get<0>(k)) * 31 + std::get<1>(k);
}

std::size_t metrics::by_views::hash(const decision_view& k) {
  const std::hash<std::string_view> h;
  return (h(std::get<0>(k)) * 31 + h(std::get<1>(k))) * 31 + h(std::get<2>(k));
}

metrics::shard& metrics::local() {
  // One shard per thread and metrics object, found without a lock once made.
  struct cached {
    std::uint64_t owner = 0;
    shard* s = nullptr;
  };
  thread_local cached last;
  if (last.owner == id_) return *last.s;
  std::lock_guard lock(shards_mutex_);
  const std::thread::id me = std::this_thread::get_id();
  shard* mine = nullptr;
  for (const auto& s : shards_) {
    if (s->owner == me) mine = s.get();
  }
  if (!mine) {
    shards_.push_back(std::make_unique<shard>());
    mine = shards_.back().get();
    mine->owner = me;
  }
  last = {id_, mine};
  return *mine;
}

void metrics::count_request(std::string_view endpoint, unsigned status, std::chrono::nanoseconds latency) {
  shard& s = local();
  const request_view key{endpoint, status};
  auto known = s.requests.find(key);
  if (known == s.requests.end()) {
    std::lock_guard lock(s.adding);
    known = s.requests.try_emplace(request_key{std::string(endpoint), status}, 0).first;
  }
  known->second.fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < buckets_.size() && seconds > buckets_[bucket]) ++bucket;
  s.latency_counts[bucket].fetch_add(1, std::memory_order_relaxed);
  s.latency_sum_ns.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
}

void metrics::count_decision(std::string_view clinic, std::string_view action, std::string_view reason) {
  shard& s = local();
  const decision_view key{clinic, action, reason};
  auto known = s.decisions.find(key);
  if (known == s.decisions.end()) {
    std::lock_guard lock(s.adding);
    known = s.decisions.try_emplace(decision_key{std::string(clinic), std::string(action), std::string(reason)}, 0)
                .first;
  }
  known->second.fetch_add(1, std::memory_order_relaxed);
}

void metrics::count_ai_unavailable(std::string_view clinic, std::string_view status) {
  static constexpr std::array<std::string_view, 6> known{"no-answer", "busy",      "failed",
                                                         "canceled",  "completed", "capacity"};
  const bool listed = std::find(known.begin(), known.end(), status) != known.end();
  std::lock_guard lock(follow_on_counts_mutex_);
  ++ai_unavailable_[{std::string(clinic), std::string(listed ? status : "other")}];
}

void metrics::count_transfer(std::string_view clinic, bool forwarded) {
  std::lock_guard lock(follow_on_counts_mutex_);
  ++transfers_[{std::string(clinic), forwarded ? "forwarded" : "refused"}];
}

void metrics::count_callback(std::string_view clinic, std::string_view outcome) {
  std::lock_guard lock(follow_on_counts_mutex_);
  ++callbacks_[{std::string(clinic), std::string(outcome)}];
}

std::string metrics::render(const std::map<std::string, std::int32_t>& active_calls,
                            std::uint64_t reloads_ok, std::uint64_t reloads_failed,
                            std::size_t last_reload_errors, bool last_reload_ok,
                            const std::map<std::string, std::size_t, std::less<>>& voicemails,
                            const state_health& state,
                            const ai_leg_figures& ai_legs) const {
  // The shards summed, in label order.
  std::map<request_key, std::uint64_t> requests;
  std::map<decision_key, std::uint64_t> decisions;
  std::array<std::uint64_t, buckets_.size() + 1> latency_counts{};
  std::uint64_t latency_sum_ns = 0;
  {
    std::lock_guard lock(shards_mutex_);
    for (const auto& s : shards_) {
      std::lock_guard adding(s->adding);
      for (const auto& [key, n] : s->requests) requests[key] += n.load(std::memory_order_relaxed);
      for (const auto& [key, n] : s->decisions) decisions[key] += n.load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < latency_counts.size(); ++i) {
        latency_counts[i] += s->latency_counts[i].load(std::memory_order_relaxed);
      }
      latency_sum_ns += s->latency_sum_ns.load(std::memory_order_relaxed);
    }
  }
  std::string out;
  out += "# HELP callpolicy_requests_total HTTP requests by endpoint and status code.\n"
         "# TYPE callpolicy_requests_total counter\n";
  for (const auto& [key, n] : requests) {
    out += fmt::format("callpolicy_requests_total{{endpoint=\"{}\",code=\"{}\"}} {}\n", label(std::get<0>(key)),
                       std::get<1>(key), n);
  }
  out += "# HELP callpolicy_decisions_total Call decisions by clinic, action and reason.\n"
         "# TYPE callpolicy_decisions_total counter\n";
  for (const auto& [key, n] : decisions) {
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
  out += "# HELP callpolicy_state_healthy Whether the state store answers (1) or calls are decided with this server's own counts (0).\n"
         "# TYPE callpolicy_state_healthy gauge\n";
  out += fmt::format("callpolicy_state_healthy{{backend=\"{}\"}} {}\n", label(state.backend), state.healthy ? 1 : 0);
  // A metric of one value, without labels.
  const auto single = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  single("callpolicy_state_errors_total", "counter", "Failed connections to and commands of the state store.",
         state.errors);
  single("callpolicy_state_fallbacks_total", "counter",
         "Calls decided with this server's own count because the state store was slow or down.", state.fallbacks);
  out += "# HELP callpolicy_voicemails_total Voicemails journaled, by clinic (\"\" for one that named none).\n"
         "# TYPE callpolicy_voicemails_total counter\n";
  for (const auto& [clinic, n] : voicemails) {
    out += fmt::format("callpolicy_voicemails_total{{clinic=\"{}\"}} {}\n", label(clinic), n);
  }
  single("callpolicy_ai_legs", "gauge", "Live AI legs, across every server sharing the state store.", ai_legs.live);
  single("callpolicy_ai_capacity", "gauge",
         "Live AI legs allowed at once across the fleet (--ai-capacity; 0: unlimited).", ai_legs.capacity);
  // A counter by clinic and one more label, from the follow-on counts.
  const auto per_clinic = [&](std::string_view name, std::string_view help, std::string_view second,
                              const std::map<std::pair<std::string, std::string>, std::uint64_t>& counts) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    std::lock_guard lock(follow_on_counts_mutex_);
    for (const auto& [key, n] : counts) {
      out += fmt::format("{}{{clinic=\"{}\",{}=\"{}\"}} {}\n", name, label(key.first), second, key.second, n);
    }
  };
  per_clinic("callpolicy_ai_unavailable_total",
             "AI legs that ended without the AI, or were not dialled for want of capacity, by clinic and "
             "DialCallStatus (capacity).",
             "status", ai_unavailable_);
  per_clinic("callpolicy_transfers_total",
             "The AI's transfers (SIP REFER), by clinic and outcome (forwarded, refused).", "outcome", transfers_);
  per_clinic("callpolicy_callback_offers_total",
             "Answers to callback offers, by clinic and outcome (requested, retry, timeout, invalid number).",
             "outcome", callbacks_);
  out += "# HELP callpolicy_journal_skipped_records Journal lines skipped at the last replay.\n"
         "# TYPE callpolicy_journal_skipped_records gauge\n";
  out += fmt::format("callpolicy_journal_skipped_records {}\n", journal_skipped_.load());
  out += "# HELP callpolicy_request_duration_seconds Time from a request's arrival to its response.\n"
         "# TYPE callpolicy_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += latency_counts[i];
    out += fmt::format("callpolicy_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", buckets_[i], cumulative);
  }
  cumulative += latency_counts.back();
  out += fmt::format("callpolicy_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("callpolicy_request_duration_seconds_sum {}\n", static_cast<double>(latency_sum_ns) / 1e9);
  out += fmt::format("callpolicy_request_duration_seconds_count {}\n", cumulative);
  return out;
}

}  // namespace callpolicy::server
