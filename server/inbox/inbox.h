// The front desk's inbox (docs/operations.md, "The inbox"): each voicemail
// and callback request a caller left, with whether someone has dealt with
// it. Filled from the journal's records (as they are written, and by replay
// at start) and carried across a rotation by its snapshot; a shared store
// keeps a copy in Redis so that every server shows the same inbox.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/clock.h"
#include "server/journal/record.h"

namespace callpolicy::server {

struct inbox_item {
  std::string id;    // a voicemail's RecordingSid; "callback-" and the CallSid for a callback request
  std::string type;  // "voicemail" or "callback"
  std::string clinic, caller, number, to, recording_url, reason, call_sid;
  std::int64_t duration = 0;  // seconds of recording; 0 for a callback request
  std::int64_t time_ms = 0;
  bool done = false;
  std::string done_by;
  std::int64_t done_at_ms = 0;
  friend bool operator==(const inbox_item&, const inbox_item&) = default;
};

// The item a journal record stands for: a voicemail, a callback request or
// a snapshot's item; nullopt for any other record.
std::optional<inbox_item> item_of_record(const journal_record::any_record& record);
// The item as the snapshot's record of it, and as the shared store keeps it.
journal_record::inbox_item_of<std::string> record_of(const inbox_item& item);
// The API's JSON object of an item (docs/operations.md, "The inbox").
std::string item_json(const inbox_item& item);
std::optional<inbox_item> item_from_json(std::string_view text);

enum class inbox_state : std::uint8_t { open, done, all };

// The items of `clinic` (empty: every clinic's) in `state`, in the inbox's
// order: open items oldest first, then done ones, the last done first.
std::vector<inbox_item> select_items(std::vector<inbox_item> items, std::string_view clinic, inbox_state state);

class inbox {
 public:
  // How long a done item is kept, for who dealt with it and when.
  static constexpr std::int64_t done_kept_ms = 30LL * 24 * 3600 * 1000;
  // Items kept at most: past it the oldest done item goes, else the oldest
  // open one (the journal still has it), so that no flood of messages
  // grows a server without bound.
  static constexpr std::size_t max_items = 200'000;

  // An item not yet known; one known already keeps its done mark.
  void add(inbox_item item);
  // False when no item has `id`. Marking a done item again keeps the first mark.
  bool mark_done(std::string_view id, std::string_view by, std::int64_t at_ms);
  bool contains(std::string_view id) const;
  // Open items oldest first, then done ones newest done first; `clinic`
  // empty for every clinic's. Done items past done_kept_ms are let go.
  std::vector<inbox_item> list(std::string_view clinic, inbox_state state, std::int64_t now_ms);
  std::size_t open_count(std::string_view clinic) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, inbox_item, std::less<>> items_;
};

}  // namespace callpolicy::server
