// The shared store's second connection (server/state/redis_state.cpp): what the
// admin address asks of Redis (counts for /status and /metrics, overrides),
// never queued behind calls; one attempt each, with short timeouts.
// Private to server/.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/inbox/inbox.h"
#include "server/state/overrides.h"
#include "server/state/redis_connection.h"

namespace callpolicy::server {

class redis_admin {
 public:
  // `open` makes a connection to the master (or leaves why in its argument).
  redis_admin(std::function<context_ptr(std::string&)> open, std::string prefix)
      : open_(std::move(open)), prefix_(std::move(prefix)) {}

  // What each clinic's sorted set of `kind` ("calls:", "ai_legs:") holds
  // unexpired, the clinics with none left out; false when Redis did not answer.
  bool count_by_clinic(std::string_view kind, std::map<std::string, std::int32_t>& out);
  bool put_override(const clinic_override& o, std::string& error);
  bool erase_override(std::string_view clinic, bool& existed, std::string& error);
  // The overrides Redis holds, and in `cleared` the clinics whose override
  // was cleared before its time (tombstones).
  bool load_overrides(std::vector<clinic_override>& out, std::vector<std::string>& cleared, std::string& error);
  // Writes `o` unless Redis holds the clinic's key already (an override or a
  // tombstone): how a server's overrides come back after Redis lost them.
  bool restore_override(const clinic_override& o, bool& written, std::string& error);
  // The inbox as Redis keeps it, each item with its done mark.
  bool load_inbox(std::vector<inbox_item>& out, std::string& error);
  // Sets the mark unless one is set; `known` false when Redis has no such item.
  bool mark_inbox_done(std::string_view id, std::string_view by, std::int64_t at_ms, bool& known, std::string& error);

 private:
  // The admin paths (/metrics, /status, overrides) use a connection of their
  // own, so that they never queue behind calls; one attempt, short timeouts.
  // A write (`fresh`) opens a new connection, which finds the master anew
  // (through Sentinel where there is one): a connection kept across a
  // failover would write to the demoted master, which drops it when it
  // becomes a replica, after the override was answered 200.
  template <typename Work>
  bool with_connection(Work work, std::string* error = nullptr, bool fresh = false) {
    std::lock_guard lock(mutex_);
    std::string why;
    if (fresh) connection_.reset();
    // A kept connection that fails is tried once more anew: after a Redis
    // restart or a failover the kept one is dead, and that is no outage.
    if (connection_ && work(connection_.get())) return true;
    connection_ = open_(why);
    if (connection_ && work(connection_.get())) return true;
    if (connection_) why = connection_->err ? connection_->errstr : "unexpected reply";
    connection_.reset();
    if (error) *error = why.empty() ? "the state store did not answer" : why;
    return false;
  }

  std::function<context_ptr(std::string&)> open_;
  std::string prefix_;
  std::mutex mutex_;
  context_ptr connection_;
};

}  // namespace callpolicy::server
