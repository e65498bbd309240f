#include "server/inbox/delivery.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "server/http/http_client.h"
#include "server/json_line.h"
#include "server/log.h"

namespace callpolicy::server {

std::string delivery_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
  const std::string signed_text = fmt::format("{}.{}", unix_seconds, body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest, &length);
  std::string out = fmt::format("t={},v1=", unix_seconds);
  for (unsigned int i = 0; i < length; ++i) fmt::format_to(std::back_inserter(out), "{:02x}", digest[i]);
  return out;
}

delivery::delivery(delivery_options options) : options_(std::move(options)) {}

delivery::~delivery() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (cursor_fd_ >= 0) ::close(cursor_fd_);
}

std::string delivery::url_for(std::string_view clinic) const {
  if (options_.clinic_url) {
    std::string own = options_.clinic_url(clinic);
    if (!own.empty()) return own;
  }
  return options_.url;
}

void delivery::add(const inbox_item& item) {
  // A clinic with nowhere to deliver to (no --notify-url, no `notify` of
  // its own) keeps its messages in the inbox only.
  if (url_for(item.clinic).empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (!known_.insert(item.id).second) return;
    queues_[item.clinic].items.push_back(item);
  }
  wake_.notify_all();
}

void delivery::start() {
  std::set<std::string> delivered;
  bool had_cursor = false;
  if (!options_.cursor_path.empty()) {
    std::ifstream in(options_.cursor_path);
    had_cursor = static_cast<bool>(in);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) delivered.insert(line);
    }
    cursor_fd_ = ::open(options_.cursor_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (cursor_fd_ < 0) {
      std::string out;
      json_line(out)
          .add("level", "error")
          .add("time_ms", now_ms())
          .add("message", "delivery cursor cannot be written: deliveries are kept in memory only")
          .add("cursor", options_.cursor_path)
          .end_line();
      write_log(out);
    }
  }
  std::size_t skipped = 0;
  {
    std::lock_guard lock(mutex_);
    known_.insert(delivered.begin(), delivered.end());
    for (auto& [clinic, queue] : queues_) {
      std::erase_if(queue.items, [&](const inbox_item& item) {
        const bool sent = delivered.count(item.id) || (!had_cursor && !options_.cursor_path.empty());
        if (sent && !delivered.count(item.id)) {
          ++skipped;
          record_delivered(item.id);
        }
        return sent;
      });
    }
    started_ = true;
  }
  if (skipped > 0) {
    std::string out;
    json_line(out)
        .add("level", "info")
        .add("time_ms", now_ms())
        .add("message", "delivery starts now: messages journaled before it are not sent")
        .add("messages", static_cast<std::int64_t>(skipped))
        .end_line();
    write_log(out);
  }
  worker_ = std::thread([this] { run(); });
}

void delivery::record_delivered(const std::string& id) {
  if (cursor_fd_ < 0) return;
  const std::string line = id + "\n";
  // A torn line (a full disk) is harmless: the item is sent again, and its
  // id written whole.
  if (::write(cursor_fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size())) ::fdatasync(cursor_fd_);
}

bool delivery::send(const inbox_item& item) {
  const std::string body = item_json(item);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_type::now());
  const std::string url = url_for(item.clinic);
  if (url.empty()) return true;  // its `notify` removed by a reload, and no server URL: nothing to send to
  const http_answer answer = http_call("POST", url, body,
                                       {{"Content-Type", "application/json"},
                                        {"X-Callpolicy-Delivery", item.id},
                                        {"X-Callpolicy-Signature",
                                         delivery_signature(options_.secret, now.time_since_epoch().count(), body)}},
                                       options_.timeout);
  if (answer.status >= 200 && answer.status < 300) return true;
  std::string out;
  json_line(out)
      .add("level", "warning")
      .add("time_ms", now_ms())
      .add("message", "delivery failed; it is tried again")
      .add("id", item.id)
      .add("clinic", item.clinic)
      .add("status", static_cast<std::int64_t>(answer.status))
      .add("error", answer.error)
      .end_line();
  write_log(out);
  return false;
}

void delivery::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // The clinic whose oldest pending item is due first; others wait their turn.
    const auto now = clock_type::now();
    std::string due;
    clock_type::time_point earliest = clock_type::time_point::max();
    for (const auto& [clinic, queue] : queues_) {
      if (queue.items.empty()) continue;
      if (queue.next_attempt <= now && (due.empty() || queue.next_attempt < queues_[due].next_attempt)) due = clinic;
      earliest = std::min(earliest, queue.next_attempt);
    }
    if (due.empty()) {
      if (earliest == clock_type::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, earliest);
      }
      continue;
    }
    const inbox_item item = queues_[due].items.front();
    lock.unlock();
    const bool sent = send(item);
    if (sent) record_delivered(item.id);
    lock.lock();
    clinic_queue& queue = queues_[due];
    if (sent) {
      ++delivered_;
      if (!queue.items.empty() && queue.items.front().id == item.id) queue.items.pop_front();
      queue.backoff = std::chrono::milliseconds(0);
      queue.next_attempt = {};
    } else {
      ++failed_attempts_;
      queue.backoff = queue.backoff.count() == 0 ? options_.first_backoff
                                                 : std::min(queue.backoff * 2, options_.max_backoff);
      queue.next_attempt = clock_type::now() + queue.backoff;
    }
  }
}

delivery::figures delivery::current() const {
  std::lock_guard lock(mutex_);
  figures f;
  f.delivered = delivered_;
  f.failed_attempts = failed_attempts_;
  std::int64_t oldest = 0;
  for (const auto& [clinic, queue] : queues_) {
    f.pending += queue.items.size();
    if (!queue.items.empty() && (oldest == 0 || queue.items.front().time_ms < oldest)) {
      oldest = queue.items.front().time_ms;
    }
  }
  if (oldest > 0) f.oldest_pending_seconds = std::max(0.0, static_cast<double>(now_ms() - oldest) / 1000.0);
  return f;
}

std::string delivery::metrics_text() const {
  const figures f = current();
  return fmt::format(
      "# HELP callpolicy_deliveries_pending Voicemails and callback requests not yet delivered to --notify-url.\n"
      "# TYPE callpolicy_deliveries_pending gauge\ncallpolicy_deliveries_pending {}\n"
      "# HELP callpolicy_deliveries_total Voicemails and callback requests the receiver took (2xx).\n"
      "# TYPE callpolicy_deliveries_total counter\ncallpolicy_deliveries_total {}\n"
      "# HELP callpolicy_delivery_failures_total Attempts the receiver refused, or did not answer in time.\n"
      "# TYPE callpolicy_delivery_failures_total counter\ncallpolicy_delivery_failures_total {}\n"
      "# HELP callpolicy_delivery_oldest_pending_seconds Age of the oldest message not yet delivered.\n"
      "# TYPE callpolicy_delivery_oldest_pending_seconds gauge\ncallpolicy_delivery_oldest_pending_seconds {:.3f}\n",
      f.pending, f.delivered, f.failed_attempts, f.oldest_pending_seconds);
}

}  // namespace callpolicy::server
