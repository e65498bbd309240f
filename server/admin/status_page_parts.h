// The pieces of the status page its two files share (status_page.cpp: the
// list, the reloads, the entry point; status_clinic_page.cpp: a clinic's
// page). Private to server/.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "server/admin/status_page.h"

namespace callpolicy::server::page_parts {

void esc(std::string& out, std::string_view text);
std::string escaped(std::string_view text);
// A path segment or query value, percent-encoded.
std::string url_part(std::string_view text);
// A whole HTML page around `body`.
std::string page(std::string_view title, std::string_view body);
std::string_view action_words(action_kind a);
// A moment in the clinic's local time, as short as today allows ("17:00",
// "tomorrow 08:00", "Wed 08:00", "2027-01-04 08:00"), in a <time> element
// that carries the UTC instant.
std::string local_moment(const runtime_clinic& c, std::chrono::system_clock::time_point at,
                         std::chrono::system_clock::time_point now);
// "Wed 2026-12-02 14:05:07", in the clinic's local time, in a <time> element.
std::string local_timestamp(const runtime_clinic& c, std::chrono::system_clock::time_point at);
const clinic_override* override_of(const std::vector<clinic_override>& overrides,
                                   std::string_view clinic,
                                   std::chrono::system_clock::time_point at);
// The table's rows for `q` (or the one clinic `only`); `shown` and `total` count them.
std::string now_rows(const page_data& d, std::string_view q, std::string_view only,
                     std::size_t& shown, std::size_t& total);
std::string now_table(const page_data& d, std::string_view rows);
std::string reload_banner(const page_data& d);

struct dry_run_inputs {
  std::string at;
  std::string via;
  std::string calls;
  std::string caller;
};
std::string clinic_page(const page_data& d, const runtime_clinic& c, const dry_run_inputs& in,
                        bool ran);

// The inbox (status_inbox_page.cpp): the whole page, its list of cards, and
// the token field its buttons read.
std::string inbox_page(const page_data& d, std::string_view clinic, std::string_view state);
std::string inbox_list(const page_data& d, const std::vector<inbox_item>& items, bool show_clinic);
std::string inbox_token_form(const page_data& d);

}  // namespace callpolicy::server::page_parts
