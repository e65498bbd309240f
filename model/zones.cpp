#include "model/zones.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <fmt/compile.h>
#include <fmt/format.h>

#include "model/edit_distance.h"
#include "model/time_types.h"

namespace callpolicy {
namespace {

std::string zone_directory() {
  // cctz reads TZDIR too, so the names and the rules come from one place.
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

// The names the system's tzdata knows, read once: its zones, its links
// (old names kept for compatibility, with what they point to) and the
// canonical names in zone.tab and zone1970.tab (one per region people live in).
struct zone_names {
  std::set<std::string, std::less<>> zones;
  std::map<std::string, std::string, std::less<>> links;  // name -> target
  std::set<std::string, std::less<>> canonical;
  std::map<std::string, std::string, std::less<>> country;  // zone -> ISO 3166 code, from zone.tab

  bool known(std::string_view name) const { return zones.contains(name) || links.contains(name); }
};

const zone_names& names() {
  static const zone_names all = [] {
    zone_names n;
    const std::string dir = zone_directory();
    // tzdata.zi is the whole database as zic input: "Z NAME ..." is a zone,
    // "L TARGET NAME" a link.
    std::ifstream zi(dir + "/tzdata.zi");
    for (std::string line; std::getline(zi, line);) {
      std::istringstream fields(line);
      std::string kind, first, second;
      fields >> kind >> first >> second;
      if (kind == "Z") n.zones.insert(first);
      if (kind == "L" && !second.empty()) n.links.emplace(second, first);
    }
    for (const char* tab : {"/zone1970.tab", "/zone.tab"}) {
      std::ifstream in(dir + tab);
      for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string country, coordinates, name;
        std::getline(fields, country, '\t');
        std::getline(fields, coordinates, '\t');
        std::getline(fields, name, '\t');
        if (name.empty()) continue;
        n.canonical.insert(name);
        // zone1970.tab lists every country a zone serves ("CA,BS"); zone.tab,
        // read second, names the one it belongs to and wins.
        n.country[name] = country.substr(0, country.find(','));
      }
    }
    return n;
  }();
  return all;
}

// A name cctz may be given: the database's own, or, where the system has no
// tzdata.zi to list them, one that looks like a zone name. Never a path or
// cctz's own forms ("Fixed/...", "libc:..."), which a policy must not reach.
bool loadable_name(std::string_view name) {
  if (name == "UTC") return true;
  const zone_names& n = names();
  if (!n.zones.empty()) return n.known(name);
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string_view::npos || name.starts_with("Fixed/")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

std::string zone_country(std::string_view zone) {
  const zone_names& n = names();
  std::string_view name = zone;
  if (const auto link = n.links.find(name); link != n.links.end()) name = link->second;
  const auto it = n.country.find(name);
  return it == n.country.end() ? std::string() : it->second;
}

const cctz::time_zone* find_zone(std::string_view name) noexcept {
  // Loaded zones live as long as the process: the compiled sets point at them.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<cctz::time_zone>, std::less<>> loaded;
  try {
    if (!loadable_name(name)) return nullptr;
    std::lock_guard lock(mutex);
    if (const auto it = loaded.find(name); it != loaded.end()) return it->second.get();
    auto zone = std::make_unique<cctz::time_zone>();
    if (!cctz::load_time_zone(std::string(name), zone.get())) return nullptr;
    return loaded.emplace(std::string(name), std::move(zone)).first->second.get();
  } catch (const std::exception&) {
    return nullptr;
  }
}

namespace {

char fold(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c == ' ' || c == '-' ? '_' : c;
}

// Lower case, with spaces and hyphens as underscores: "new york" and
// "New_York" are the same city.
std::string folded(std::string_view text) {
  std::string out;
  for (const char c : text) out += fold(c);
  return out;
}

std::string_view city_of(std::string_view name) {
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::size_t folded_distance(std::string_view a, std::string_view b) {
  return edit_distance(a, b, [](char x, char y) { return fold(x) == fold(y); });
}

// Places people name that are not zone names of their own (capitals and
// large cities that share a zone with another city), by folded name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 36> city_aliases{{
    {"ottawa", "America/Toronto"},
    {"montreal", "America/Toronto"},
    {"quebec", "America/Toronto"},
    {"quebec_city", "America/Toronto"},
    {"hamilton", "America/Toronto"},
    {"calgary", "America/Edmonton"},
    {"saskatoon", "America/Regina"},
    {"victoria", "America/Vancouver"},
    {"washington", "America/New_York"},
    {"boston", "America/New_York"},
    {"miami", "America/New_York"},
    {"atlanta", "America/New_York"},
    {"philadelphia", "America/New_York"},
    {"houston", "America/Chicago"},
    {"dallas", "America/Chicago"},
    {"san_francisco", "America/Los_Angeles"},
    {"seattle", "America/Los_Angeles"},
    {"san_diego", "America/Los_Angeles"},
    {"las_vegas", "America/Los_Angeles"},
    {"salt_lake_city", "America/Denver"},
    {"beijing", "Asia/Shanghai"},
    {"delhi", "Asia/Kolkata"},
    {"new_delhi", "Asia/Kolkata"},
    {"mumbai", "Asia/Kolkata"},
    {"bombay", "Asia/Kolkata"},
    {"osaka", "Asia/Tokyo"},
    {"kyoto", "Asia/Tokyo"},
    {"canberra", "Australia/Sydney"},
    {"wellington", "Pacific/Auckland"},
    {"edinburgh", "Europe/London"},
    {"manchester", "Europe/London"},
    {"barcelona", "Europe/Madrid"},
    {"milan", "Europe/Rome"},
    {"munich", "Europe/Berlin"},
    {"frankfurt", "Europe/Berlin"},
    {"geneva", "Europe/Zurich"},
}};

}  // namespace

namespace {

// What people write for a zone instead of its name: an abbreviation, the
// zone's common name, a UTC offset. Each means a place, and the place's own
// zone is what keeps daylight saving right. Keys are folded by
// common_name_key: lower case, letters, digits and the offset's sign only,
// without "time", "standard", "daylight" or "zone".
constexpr std::pair<std::string_view, std::string_view> common_zone_names[] = {
    {"pst", "America/Los_Angeles"}, {"pdt", "America/Los_Angeles"}, {"pt", "America/Los_Angeles"},
    {"pacific", "America/Los_Angeles"}, {"uspacific", "America/Los_Angeles"}, {"utc-8", "America/Los_Angeles"},
    {"gmt-8", "America/Los_Angeles"}, {"mst", "America/Denver"}, {"mdt", "America/Denver"},
    {"mountain", "America/Denver"}, {"utc-7", "America/Denver"}, {"gmt-7", "America/Denver"},
    {"cst", "America/Chicago"}, {"cdt", "America/Chicago"}, {"central", "America/Chicago"},
    {"utc-6", "America/Chicago"}, {"gmt-6", "America/Chicago"}, {"est", "America/New_York"},
    {"edt", "America/New_York"}, {"et", "America/New_York"}, {"eastern", "America/New_York"},
    {"utc-5", "America/New_York"}, {"gmt-5", "America/New_York"}, {"ast", "America/Halifax"},
    {"adt", "America/Halifax"}, {"atlantic", "America/Halifax"}, {"utc-4", "America/Halifax"},
    {"nst", "America/St_Johns"}, {"ndt", "America/St_Johns"}, {"newfoundland", "America/St_Johns"},
    {"utc-3:30", "America/St_Johns"}, {"akst", "America/Anchorage"}, {"akdt", "America/Anchorage"},
    {"alaska", "America/Anchorage"}, {"utc-9", "America/Anchorage"}, {"hst", "Pacific/Honolulu"},
    {"hawaii", "Pacific/Honolulu"}, {"utc-10", "Pacific/Honolulu"}, {"gmt", "Europe/London"},
    {"bst", "Europe/London"}, {"uk", "Europe/London"}, {"british", "Europe/London"}, {"cet", "Europe/Paris"},
    {"cest", "Europe/Paris"}, {"centraleuropean", "Europe/Paris"}, {"utc+1", "Europe/Paris"},
    {"aest", "Australia/Sydney"}, {"aedt", "Australia/Sydney"}, {"australianeastern", "Australia/Sydney"},
    {"utc+10", "Australia/Sydney"}, {"ist", "Asia/Kolkata"}, {"india", "Asia/Kolkata"},
    {"utc+5:30", "Asia/Kolkata"}, {"jst", "Asia/Tokyo"}, {"japan", "Asia/Tokyo"}, {"utc+9", "Asia/Tokyo"},
};

std::string common_name_key(std::string_view name) {
  std::string key;
  for (const char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == ':') key += c;
    if (c >= 'A' && c <= 'Z') key += static_cast<char>(c - 'A' + 'a');
  }
  for (const std::string_view word : {"standard", "daylight", "time", "zone"}) {
    for (auto at = key.find(word); at != std::string::npos; at = key.find(word)) key.erase(at, word.size());
  }
  if (key.ends_with(":00")) key.resize(key.size() - 3);  // UTC-08:00
  for (const std::string_view sign : {"-0", "+0"}) {
    if (const auto at = key.find(sign); at != std::string::npos && at + 2 < key.size()) key.erase(at + 1, 1);
  }
  return key;
}

}  // namespace

std::vector<std::string> suggest_zones(std::string_view name, std::size_t limit) {
  std::vector<std::string> out;
  const auto add = [&](std::string_view zone) {
    if (out.size() < limit && std::find(out.begin(), out.end(), zone) == out.end())
      out.emplace_back(zone);
  };
  const std::string key = common_name_key(name);
  for (const auto& [common, zone] : common_zone_names) {
    if (common == key) add(zone);
  }
  const zone_names& n = names();
  const std::string city = folded(city_of(name));
  // A city named exactly, in any region or none: "Toronto", "Europe/Toronto".
  for (const std::string& zone : n.canonical) {
    if (folded(city_of(zone)) == city) add(zone);
  }
  // An old or alias name of a city: "Calcutta", "Asia/Saigon".
  for (const auto& [link, target] : n.links) {
    if (folded(city_of(link)) == city && n.canonical.contains(target)) add(target);
  }
  for (const auto& [alias, zone] : city_aliases) {
    if (alias == city) add(zone);
  }
  // Then the nearest canonical names by spelling, of the whole name or of
  // its city. Links are left out: their names are the ones nobody means.
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  const std::set<std::string, std::less<>>& pool = n.canonical.empty() ? n.zones : n.canonical;
  for (const std::string& zone : pool) {
    const std::size_t whole = folded_distance(name, zone);
    const std::size_t by_city =
        city.size() >= 4 ? folded_distance(city, folded(city_of(zone))) : whole;
    scored.emplace_back(std::min(whole, by_city), zone);
  }
  std::sort(scored.begin(), scored.end());
  // A suggestion further than a third of the name away is noise.
  const std::size_t reasonable =
      std::max<std::size_t>(2, std::min(name.size(), city.size() + 2) / 3);
  for (const auto& [distance, zone] : scored) {
    if (out.size() >= limit || distance > reasonable) break;
    add(zone);
  }
  return out;
}

std::optional<zone_advice> legacy_zone_advice(std::string_view name) {
  // POSIX-style zones: fixed offsets, or the United States' rules of 1967
  // onward, whatever the place's own history.
  struct posix_zone {
    std::string_view name, use;
    bool fixed;  // no daylight saving time at all
  };
  static constexpr std::array<posix_zone, 11> posix{{
      {"EST", "America/Toronto", true},
      {"MST", "America/Edmonton", true},
      {"HST", "Pacific/Honolulu", true},
      {"EST5EDT", "America/Toronto", false},
      {"CST6CDT", "America/Winnipeg", false},
      {"MST7MDT", "America/Edmonton", false},
      {"PST8PDT", "America/Vancouver", false},
      {"CET", "Europe/Paris", false},
      {"EET", "Europe/Athens", false},
      {"MET", "Europe/Paris", false},
      {"WET", "Europe/Lisbon", false},
  }};
  for (const posix_zone& z : posix) {
    if (name != z.name) continue;
    return zone_advice{std::string(z.use), z.fixed ? zone_problem::fixed_offset : zone_problem::posix};
  }
  if (name.starts_with("Etc/GMT") && name.size() > 7 && name != "Etc/GMT0" && name != "Etc/GMT+0" &&
      name != "Etc/GMT-0") {
    return zone_advice{{}, zone_problem::inverted_offset};
  }
  const zone_names& n = names();
  const auto link = n.links.find(name);
  if (link == n.links.end() || n.canonical.contains(name) || n.canonical.empty())
    return std::nullopt;
  // Old spellings of UTC are UTC.
  if (link->second == "Etc/UTC" || link->second == "Etc/GMT") return std::nullopt;
  return zone_advice{link->second, zone_problem::old_name};
}

local_resolution resolve_local_time(const cctz::time_zone* zone, std::int64_t local_seconds) {
  const cctz::civil_second local = cctz::civil_second(1970, 1, 1, 0, 0, 0) + local_seconds;
  const cctz::time_zone::civil_lookup found = zone->lookup(local);
  local_resolution r;
  switch (found.kind) {
    case cctz::time_zone::civil_lookup::UNIQUE:
      r.type = local_resolution::kind::unique;
      r.instant = found.pre;
      break;
    case cctz::time_zone::civil_lookup::REPEATED:
      // `pre` reads the time with the offset before the change: the earlier instant.
      r.type = local_resolution::kind::ambiguous;
      r.instant = found.pre;
      break;
    case cctz::time_zone::civil_lookup::SKIPPED:
      r.type = local_resolution::kind::nonexistent;
      break;
  }
  r.later = r.type == local_resolution::kind::ambiguous ? found.post : r.instant;
  r.change = r.type == local_resolution::kind::unique ? r.instant : found.trans;
  return r;
}

local_parts to_local(const cctz::time_zone* zone, std::chrono::sys_seconds at) {
  const cctz::time_zone::absolute_lookup found = zone->lookup(at);
  const std::int64_t local = at.time_since_epoch().count() + found.offset;
  std::int64_t days = local / 86400;
  std::int64_t seconds = local % 86400;
  if (seconds < 0) {
    seconds += 86400;
    --days;
  }
  return {static_cast<std::int32_t>(days), static_cast<std::uint32_t>(seconds), found.offset};
}

std::string format_rfc3339_local(const cctz::time_zone* zone, std::chrono::sys_seconds at) {
  std::string out;
  append_rfc3339_local(out, zone, at);
  return out;
}

void append_rfc3339_local(std::string& out, const cctz::time_zone* zone, std::chrono::sys_seconds at) {
  append_rfc3339_local(out, to_local(zone, at));
}

// Compiled at build time: on every AI leg's TwiML, parsing the format at
// run time was a sixth of the document's cost.
void append_rfc3339_local(std::string& out, const local_parts& p) {
  const civil_date c = civil_from_days(p.date);
  const int offset = p.offset_seconds;
  const int magnitude = offset < 0 ? -offset : offset;
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}"), c.year,
                 c.month, c.day, p.seconds / 3600, p.seconds / 60 % 60, p.seconds % 60, offset < 0 ? '-' : '+',
                 magnitude / 3600, magnitude / 60 % 60);
}

}  // namespace callpolicy
