// Delivery of each voicemail and callback request to where people look
// (docs/operations.md, "Delivery"): POSTed as the inbox's JSON to
// --notify-url, signed with HMAC-SHA256 (`X-Callpolicy-Signature:
// t=<unix seconds>,v1=<hex>` over "t.body"), with the item's id as the
// delivery id. At least once: an item stays pending until its id is on disk
// in the cursor file beside the journal, and is tried again with backoff
// (1 s doubling to 5 min) while the receiver fails; in order per clinic. One
// thread of its own: a slow receiver never holds up a webhook.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "server/clock.h"
#include "server/inbox/inbox.h"

namespace callpolicy::server {

struct delivery_options {
  std::string url;          // --notify-url; empty: only clinics with their own `notify` get deliveries
  std::string secret;       // the first line of --notify-secret-file
  std::string cursor_path;  // the delivered ids, one a line; empty: kept in memory only
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds first_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  // The clinic's own `notify { url }`, when it has one; empty otherwise.
  std::function<std::string(std::string_view clinic)> clinic_url;
};

// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
std::string delivery_signature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

class delivery {
 public:
  explicit delivery(delivery_options options);
  ~delivery();
  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;

  // An item this server journaled: from replay before start(), then as each
  // is journaled. An id seen before is ignored.
  void add(const inbox_item& item);
  // Reads the cursor and starts sending. Without a cursor file yet (delivery
  // just turned on), what replay found counts as sent: only new messages go.
  void start();

  struct figures {
    std::size_t pending = 0;
    std::uint64_t delivered = 0;
    std::uint64_t failed_attempts = 0;
    double oldest_pending_seconds = 0;
  };
  figures current() const;
  // The Prometheus lines of the figures.
  std::string metrics_text() const;

 private:
  struct clinic_queue {
    std::deque<inbox_item> items;
    std::chrono::milliseconds backoff{0};
    clock_type::time_point next_attempt{};
  };
  void run();
  bool send(const inbox_item& item);
  std::string url_for(std::string_view clinic) const;
  void record_delivered(const std::string& id);

  const delivery_options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, clinic_queue> queues_;  // by clinic
  std::set<std::string> known_;                 // every id pending or delivered
  std::uint64_t delivered_ = 0, failed_attempts_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  int cursor_fd_ = -1;
  std::thread worker_;
};

}  // namespace callpolicy::server
