// What a restart needs of the past, read back from the journal at start
// (replay) and written ahead when it rotates (the snapshot a new file
// starts with): live calls and their AI legs, the voicemails journaled,
// the memory store's overrides and the recent decisions.
#pragma once

#include <cstddef>
#include <string>

#include "server/server_context.h"

namespace callpolicy::server {

struct replay_summary {
  std::size_t records = 0;  // lines applied
  std::size_t skipped = 0;  // lines that were not a valid record
};

class journal_replayer {
 public:
  explicit journal_replayer(server_context& context) : context_(context) {}

  // Rebuilds active calls (when `restore_calls`: the memory store's), the
  // voicemail count, the recordings already journaled, the overrides and
  // the recent decisions from the journal at `path`, streaming it. A record
  // that cannot be read is logged with its file and line, counted, and skipped.
  replay_summary replay(const std::string& path, bool restore_calls);

  // The lines a rotated journal starts with, each ended by a newline.
  std::string snapshot();

 private:
  server_context& context_;
};

}  // namespace callpolicy::server
