// Local times against an independent reference (docs/language.md, "Time semantics"): for every zone
// below, Python's zoneinfo (tests/runtime/zone_oracle.py, same system tzdata,
// its own reading of the TZif tables and footer rules) gives the local date,
// time, weekday and offset of random instants 1970-2100 and of every offset
// change 2020-2060 (one minute and one second before, at, and one minute
// after), and what local times around each change are (unique, repeated,
// skipped). callpolicy's zones must agree on every one.
#include <boost/test/unit_test.hpp>

#include <cctz/time_zone.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/time_types.h"
#include "model/zones.h"

using namespace callpolicy;

namespace {

// Every zone the examples, the rules and the benchmark's generator use;
// half-hour and 45-minute zones; southern-hemisphere and negative daylight
// saving time; Lord Howe's 30-minute change; zones whose rules changed
// recently or change past the TZif tables' explicit years; extremes.
const std::vector<std::string> zones{
    "America/Toronto",    "America/Vancouver",   "America/Edmonton",
    "America/Winnipeg",   "America/Halifax",     "America/St_Johns",
    "America/Regina",     "America/New_York",    "America/Chicago",
    "America/Denver",     "America/Phoenix",     "America/Los_Angeles",
    "America/Anchorage",  "Pacific/Honolulu",    "Europe/London",
    "Europe/Dublin",      "Europe/Paris",        "Europe/Berlin",
    "Europe/Madrid",      "Europe/Lisbon",       "Atlantic/Azores",
    "Europe/Moscow",      "Europe/Kyiv",         "Africa/Casablanca",
    "Africa/Cairo",       "Africa/Johannesburg", "Africa/Monrovia",
    "Asia/Jerusalem",     "Asia/Tehran",         "Asia/Dubai",
    "Asia/Kolkata",       "Asia/Kathmandu",      "Asia/Shanghai",
    "Asia/Tokyo",         "Australia/Sydney",    "Australia/Adelaide",
    "Australia/Darwin",   "Australia/Eucla",     "Australia/Lord_Howe",
    "Pacific/Auckland",   "Pacific/Chatham",     "Pacific/Apia",
    "Pacific/Kiritimati", "America/Sao_Paulo",   "America/Santiago",
    "America/Asuncion",   "America/Nuuk",        "America/Mexico_City",
    "America/Havana",     "Antarctica/Troll",    "UTC",
    "America/Montreal",   "US/Eastern",          "EST5EDT"};

std::chrono::sys_seconds at(std::int64_t t) {
  return std::chrono::sys_seconds{std::chrono::seconds{t}};
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return "popen failed";
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, p)) out.append(buffer, n);
  const int status = ::pclose(p);
  if (status != 0) out += fmt::format("\n(exit status {})", status);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(local_times_agree_with_python_zoneinfo) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("callpolicy-zone-oracle-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto input = dir / "transitions.txt";
  const auto expected = dir / "expected.txt";

  // The zone library's own transitions go to the reference too, so that a
  // change it reports where zoneinfo has none is caught as well.
  std::size_t reported = 0;
  {
    std::ofstream out(input);
    for (const std::string& name : zones) {
      const cctz::time_zone* zone = find_zone(name);
      BOOST_REQUIRE_MESSAGE(zone != nullptr, "unknown zone " << name);
      out << "ZONE " << name << "\n";
      cctz::time_zone::civil_transition change;
      auto t = at(1577836800);  // 2020-01-01
      while (zone->next_transition(t, &change)) {
        // The instant of the change: where the wall clock jumps forward, the
        // first skipped time's transition point; where it goes back, the
        // first repeated time's.
        const auto instant = change.to > change.from ? zone->lookup(change.from).trans
                                                     : zone->lookup(change.to).trans;
        if (instant >= at(2840140800)) break;  // 2060-01-01
        out << "T " << instant.time_since_epoch().count() << "\n";
        ++reported;
        t = instant;
      }
    }
  }
  const std::string output =
      run(fmt::format("python3 {}/tests/runtime/zone_oracle.py {} {} 20261125 2>&1",
                      CALLPOLICY_SOURCE_DIR, input.string(), expected.string()));
  BOOST_REQUIRE_MESSAGE(output.empty(), output);

  std::size_t instants = 0, locals = 0, differences = 0;
  std::ifstream in(expected);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string kind, name;
    fields >> kind >> name;
    const cctz::time_zone* zone = find_zone(name);
    BOOST_REQUIRE(zone != nullptr);
    if (kind == "U") {
      std::int64_t t = 0;
      int year = 0, weekday = 0, offset = 0;
      unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
      fields >> t >> year >> month >> day >> hour >> minute >> second >> weekday >> offset;
      ++instants;
      const local_parts ours = to_local(zone, at(t));
      const civil_date date = civil_from_days(ours.date);
      const bool same = date.year == year && date.month == month && date.day == day &&
                        ours.seconds == hour * 3600 + minute * 60 + second &&
                        weekday_of(ours.date) == weekday && ours.offset_seconds == offset;
      if (!same) {
        ++differences;
        BOOST_ERROR(fmt::format(
            "{} at {}: ours {} (offset {}), zoneinfo {:04}-{:02}-{:02}T{:02}:{:02}:{:02} "
            "(offset {})",
            name, t, format_rfc3339_local(zone, at(t)), ours.offset_seconds, year, month, day, hour,
            minute, second, offset));
      }
    } else if (kind == "L") {
      int year = 0;
      unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
      std::string what;
      std::int64_t t = 0;
      fields >> year >> month >> day >> hour >> minute >> second >> what >> t;
      ++locals;
      const std::int64_t local = std::int64_t{days_from_civil(year, month, day)} * 86400 +
                                 hour * 3600 + minute * 60 + second;
      const local_resolution ours = resolve_local_time(zone, local);
      const char* our_kind = ours.type == local_resolution::kind::unique      ? "unique"
                             : ours.type == local_resolution::kind::ambiguous ? "ambiguous"
                                                                              : "nonexistent";
      const bool same = what == our_kind && (what == "nonexistent" || ours.instant == at(t));
      if (!same) {
        ++differences;
        BOOST_ERROR(
            fmt::format("{} local {:04}-{:02}-{:02}T{:02}:{:02}:{:02}: ours {} {}, zoneinfo {} {}",
                        name, year, month, day, hour, minute, second, our_kind,
                        ours.instant.time_since_epoch().count(), what, t));
      }
    }
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "zone oracle: %zu zones, %zu transitions 2020-2060 reported by cctz, %zu instants and %zu "
      "local times "
      "compared with zoneinfo, %zu differences\n",
      zones.size(), reported, instants, locals, differences);
  BOOST_TEST(instants > 30000u);
  BOOST_TEST(locals > 10000u);
  BOOST_TEST(differences == 0u);
}
