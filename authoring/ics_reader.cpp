#include "authoring/ics_reader.h"

#include "authoring/ics_lines.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

extern "C" {
#include <libical/ical.h>
}

namespace callpolicy {
namespace {

// An export of ten years of closures is a few hundred kilobytes; a file of
// more is no closures calendar, and libical holds all of it in memory.
constexpr std::size_t largest_file = 8 * 1024 * 1024;
// Occurrences one rule may give before the reader stops: a closure every
// day for a century is 36,525; FREQ=SECONDLY is not a closure.
constexpr int most_occurrences = 50'000;
// Occurrences one event may keep in the range: a closure every day of ten
// years is 3,653.
constexpr std::size_t most_kept = 5'000;

std::string clean_name(const char* text) { return text == nullptr ? std::string() : ics_one_line(text); }

}  // namespace

std::string ics_one_line(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = length > 0 && i + length <= s.size() && !(length == 2 && c < 0xC2);
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (valid && length == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      valid = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (valid && length == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      valid = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!valid) {
      ++i;
      continue;
    }
    if (length == 1 && (c < 0x20 || c == 0x7f)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (!(c == ' ' && (out.empty() || out.back() == ' '))) {
      if (out.size() + length > 100) break;
      out.append(s.substr(i, length));
    }
    i += length;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

day_number day_of(const icaltimetype& t) {
  return days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
}

// An occurrence's key, to match EXDATE and RECURRENCE-ID against: the date
// of an all-day event, the instant (or wall time) of a timed one.
std::int64_t seconds_of(const icaltimetype& t) {
  if (t.is_date) return static_cast<std::int64_t>(day_of(t)) * 86'400;
  if (icaltime_is_utc(t)) return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone()));
  if (t.zone != nullptr) return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, t.zone));
  return static_cast<std::int64_t>(day_of(t)) * 86'400 + t.hour * 3600 + t.minute * 60 + t.second;
}

bool sane(const icaltimetype& t) {
  return !icaltime_is_null_time(t) && t.year >= 1583 && t.year <= 9999 && t.month >= 1 && t.month <= 12 &&
         t.day >= 1 && t.day <= 31 && t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
         t.second >= 0 && t.second <= 60;
}

bool empty_list(const short* list) { return list[0] == ICAL_RECURRENCE_ARRAY_MAX; }
std::size_t list_size(const short* list, std::size_t capacity) {
  std::size_t n = 0;
  while (n < capacity && list[n] != ICAL_RECURRENCE_ARRAY_MAX) ++n;
  return n;
}

struct freer {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
  void operator()(icalrecur_iterator* i) const { icalrecur_iterator_free(i); }
};

class event_reader {
 public:
  event_reader(icalcomponent* event, const component_lines& lines, day_number first, day_number last,
               const std::set<std::int64_t>& replaced, ics_calendar& out)
      : event_(event), lines_(lines), first_(first), last_(last), replaced_(replaced), out_(out) {}

  std::optional<ics_error> read() {
    if (auto e = libical_errors()) return e;
    icalproperty* start_property = icalcomponent_get_first_property(event_, ICAL_DTSTART_PROPERTY);
    if (start_property == nullptr) return ics_error{lines_.begin, "an event without DTSTART"};
    const icaltimetype start = icalcomponent_get_dtstart(event_);
    if (!sane(start)) return ics_error{line_of("DTSTART"), "DTSTART is no date or time between the years 1583 and 9999"};
    if (icalcomponent_get_status(event_) == ICAL_STATUS_CANCELLED) {
      note(lines_.begin, "a cancelled event, left out");
      return std::nullopt;
    }
    ics_event event;
    event.line = lines_.begin;
    event.name = clean_name(icalcomponent_get_summary(event_));
    if (event.name.empty()) event.name = "Closed";
    if (start.is_date) {
      event.kind = ics_event::timing::all_day;
    } else if (icaltime_is_utc(start)) {
      event.kind = ics_event::timing::zoned;
      event.zone = "UTC";
    } else if (start.zone != nullptr) {
      event.kind = ics_event::timing::zoned;
      const icalparameter* tzid = icalproperty_get_first_parameter(start_property, ICAL_TZID_PARAMETER);
      event.zone = clean_name(tzid != nullptr && icalparameter_get_tzid(tzid) != nullptr
                                  ? icalparameter_get_tzid(tzid)
                                  : icaltimezone_get_tzid(const_cast<icaltimezone*>(start.zone)));
    } else if (const icalparameter* tzid = icalproperty_get_first_parameter(start_property, ICAL_TZID_PARAMETER)) {
      const char* name = icalparameter_get_tzid(tzid);
      return ics_error{line_of("DTSTART"), "TZID '" + clean_name(name) +
                                               "' is neither a VTIMEZONE of the file nor a zone this system knows"};
    } else {
      event.kind = ics_event::timing::floating;
    }
    const auto length = length_of(start);
    if (!length) {
      return ics_error{line_of(dtend_ ? "DTEND" : "DURATION"),
                       "the event ends before it starts (or more than ten years after)"};
    }
    length_ = *length;

    const std::int64_t start_key = seconds_of(start);
    std::set<std::int64_t> excluded = replaced_;
    for (icalproperty* p = icalcomponent_get_first_property(event_, ICAL_EXDATE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_EXDATE_PROPERTY)) {
      const icaltimetype t = icalproperty_get_datetime_with_component(p, event_);
      if (!sane(t)) return ics_error{line_of("EXDATE"), "EXDATE is no date or time between the years 1583 and 9999"};
      excluded.insert(key_like(t, start));
    }
    std::set<std::int64_t> keys;  // an RDATE may repeat an RRULE's date
    add(start, start_key, excluded, keys, event);
    int rules = 0;
    for (icalproperty* p = icalcomponent_get_first_property(event_, ICAL_RRULE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_RRULE_PROPERTY)) {
      ++rules;
      event.recurring = true;
      const icalrecurrencetype rule = icalproperty_get_rrule(p);
      if (rule.freq == ICAL_NO_RECURRENCE) return ics_error{line_of("RRULE"), "RRULE has no FREQ"};
      if (auto e = expand(rule, start, excluded, keys, event)) return e;
      if (rules == 1) event.yearly = yearly_shape(rule, start, excluded);
    }
    bool rdates = false;
    for (icalproperty* p = icalcomponent_get_first_property(event_, ICAL_RDATE_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_RDATE_PROPERTY)) {
      rdates = event.recurring = true;
      icaltimetype t = icalproperty_get_datetime_with_component(p, event_);
      if (icaltime_is_null_time(t)) t = icalproperty_get_rdate(p).period.start;
      if (!sane(t)) return ics_error{line_of("RDATE"), "RDATE is no date or time between the years 1583 and 9999"};
      add(t, seconds_of(t), excluded, keys, event);
    }
    if (rules != 1 || rdates || length_ != 86'400 || event.kind != ics_event::timing::all_day) event.yearly.reset();
    std::sort(event.occurrences.begin(), event.occurrences.end(),
              [](const ics_occurrence& a, const ics_occurrence& b) { return a.first < b.first; });
    if (!event.occurrences.empty() || event.yearly) out_.events.push_back(std::move(event));
    return std::nullopt;
  }

 private:
  std::size_t line_of(std::string_view property) const {
    for (const auto& [name, line] : lines_.properties) {
      if (name == property) return line;
    }
    return lines_.begin;
  }
  void note(std::size_t line, std::string text) { out_.notes.push_back({line, std::move(text)}); }

  // libical keeps going past what it cannot parse and leaves an X-LIC-ERROR
  // property behind. One about a property a closure depends on is an error
  // at that property's line; one about any other (Google writes an empty
  // LOCATION into every event) changes no closure.
  std::optional<ics_error> libical_errors() const {
    static constexpr std::string_view read[] = {"DTSTART", "DTEND",  "DURATION",      "RRULE", "EXDATE",
                                                "RDATE",   "STATUS", "RECURRENCE-ID", "UID",   "SUMMARY"};
    for (icalproperty* p = icalcomponent_get_first_property(event_, ICAL_XLICERROR_PROPERTY); p != nullptr;
         p = icalcomponent_get_next_property(event_, ICAL_XLICERROR_PROPERTY)) {
      std::string message = clean_name(icalproperty_get_xlicerror(p));
      // libical says what it did next; the user needs what is wrong, and where.
      if (const std::size_t at = message.find(". Removing entire property"); at != std::string::npos) {
        const std::size_t value = message.find(':', at);
        message = message.substr(0, at) + (value == std::string::npos ? "" : message.substr(value));
      }
      std::string_view named;
      std::size_t line = lines_.begin;
      for (const auto& [name, at] : lines_.properties) {
        if (name.size() > named.size() && message.find(name) != std::string::npos) {
          named = name;
          line = at;
        }
      }
      if (!named.empty() && std::find(std::begin(read), std::end(read), named) == std::end(read)) continue;
      return ics_error{line, "libical cannot read this event: " + (message.empty() ? "a malformed property" : message)};
    }
    return std::nullopt;
  }

  // Seconds long (all-day: a multiple of a day); nullopt when it ends
  // before it starts.
  std::optional<std::int64_t> length_of(const icaltimetype& start) {
    if (icalproperty* p = icalcomponent_get_first_property(event_, ICAL_DTEND_PROPERTY)) {
      dtend_ = true;
      icaltimetype end = icalproperty_get_datetime_with_component(p, event_);
      if (!sane(end)) return std::nullopt;
      if (start.is_date) {
        const std::int64_t days = day_of(end) - day_of(start);
        if (days < 0 || days > 366 * 10) return std::nullopt;
        return std::max<std::int64_t>(1, days) * 86'400;  // an end on the start day is a day long
      }
      const std::int64_t seconds = seconds_of(end) - seconds_of(start);
      if (seconds < 0 || seconds > std::int64_t{366} * 10 * 86'400) return std::nullopt;
      return seconds;
    }
    if (icalcomponent_get_first_property(event_, ICAL_DURATION_PROPERTY) != nullptr) {
      const icaldurationtype d = icalcomponent_get_duration(event_);
      if (d.is_neg) return std::nullopt;
      const std::int64_t seconds = icaldurationtype_as_int(d);
      if (seconds > std::int64_t{366} * 10 * 86'400) return std::nullopt;
      if (start.is_date) return std::max<std::int64_t>(86'400, seconds / 86'400 * 86'400);
      return seconds;
    }
    return start.is_date ? 86'400 : 0;
  }

  // An EXDATE or RECURRENCE-ID as the key of the occurrence it names: a
  // date excludes a timed event's occurrence on that (wall) date.
  std::int64_t key_like(const icaltimetype& t, const icaltimetype& start) const {
    if (t.is_date && !start.is_date) {
      icaltimetype at = start;
      at.year = t.year;
      at.month = t.month;
      at.day = t.day;
      return seconds_of(at);
    }
    if (!t.is_date && start.is_date) return static_cast<std::int64_t>(day_of(t)) * 86'400;
    return seconds_of(t);
  }

  // Whether an occurrence starting at `key` touches the range asked for.
  bool in_range(std::int64_t key) const {
    const std::int64_t day = key >= 0 ? key / 86'400 : (key - 86'399) / 86'400;
    const std::int64_t last_day = day + (length_ > 0 ? (length_ - 1) / 86'400 : 0);
    return last_day >= first_ - 1 && day <= last_ + 1;
  }
  bool past_range(std::int64_t key) const { return key / 86'400 > last_ + 1; }

  void add(const icaltimetype& t, std::int64_t key, const std::set<std::int64_t>& excluded,
           std::set<std::int64_t>& keys, ics_event& event) {
    if (excluded.count(key) != 0 || !in_range(key) || !keys.insert(key).second) return;
    if (event.occurrences.size() >= most_kept) {
      if (!capped_) note(lines_.begin, "more than " + std::to_string(most_kept) + " occurrences in the range; the rest are left out");
      capped_ = true;
      return;
    }
    if (event.kind == ics_event::timing::all_day) {
      const std::int64_t day = day_of(t);
      event.occurrences.push_back({day, day + length_ / 86'400 - 1});
    } else {
      const std::int64_t wall = static_cast<std::int64_t>(day_of(t)) * 86'400 + t.hour * 3600 + t.minute * 60 + t.second;
      event.occurrences.push_back({key, key + length_, wall});
    }
  }

  std::optional<ics_error> expand(const icalrecurrencetype& rule, const icaltimetype& start,
                                  const std::set<std::int64_t>& excluded, std::set<std::int64_t>& keys,
                                  ics_event& event) {
    std::unique_ptr<icalrecur_iterator, freer> it(icalrecur_iterator_new(rule, start));
    if (!it) return ics_error{line_of("RRULE"), "libical cannot expand this RRULE"};
    for (int n = 0;; ++n) {
      const icaltimetype t = icalrecur_iterator_next(it.get());
      if (icaltime_is_null_time(t)) break;
      if (!sane(t)) break;
      if (n >= most_occurrences) {
        note(line_of("RRULE"), "RRULE gives more than " + std::to_string(most_occurrences) +
                                   " occurrences; those after " + std::to_string(t.year) + "-" +
                                   std::to_string(t.month) + "-" + std::to_string(t.day) + " are left out");
        break;
      }
      const std::int64_t key = seconds_of(t);
      if (past_range(key)) break;
      add(t, key, excluded, keys, event);
    }
    return std::nullopt;
  }

  // The years of a yearly rule the language can say, by libical's own
  // expansion from DTSTART.
  std::optional<ics_yearly> yearly_shape(const icalrecurrencetype& rule, const icaltimetype& start,
                                         const std::set<std::int64_t>& excluded) const {
    if (rule.freq != ICAL_YEARLY_RECURRENCE || !start.is_date) return std::nullopt;
    if (!empty_list(rule.by_second) || !empty_list(rule.by_minute) || !empty_list(rule.by_hour) ||
        !empty_list(rule.by_year_day) || !empty_list(rule.by_week_no) || !empty_list(rule.by_set_pos)) {
      return std::nullopt;
    }
    const std::size_t months = list_size(rule.by_month, ICAL_BY_MONTH_SIZE);
    const std::size_t month_days = list_size(rule.by_month_day, ICAL_BY_MONTHDAY_SIZE);
    const std::size_t days = list_size(rule.by_day, ICAL_BY_DAY_SIZE);
    ics_yearly y;
    y.interval = std::max<int>(1, rule.interval);
    if (days == 0) {
      if ((months > 1 || (months == 1 && rule.by_month[0] != start.month)) ||
          (month_days > 1 || (month_days == 1 && rule.by_month_day[0] != start.day))) {
        return std::nullopt;
      }
      y.month = static_cast<std::uint8_t>(start.month);
      y.day = static_cast<std::uint8_t>(start.day);
    } else {
      const int position = icalrecurrencetype_day_position(rule.by_day[0]);
      if (days != 1 || months != 1 || month_days != 0 || !(position == -1 || (position >= 1 && position <= 5))) {
        return std::nullopt;
      }
      y.month = static_cast<std::uint8_t>(rule.by_month[0]);
      y.nth = static_cast<std::int8_t>(position);
      y.weekday = static_cast<std::uint8_t>((icalrecurrencetype_day_day_of_week(rule.by_day[0]) + 5) % 7);
    }
    std::unique_ptr<icalrecur_iterator, freer> it(icalrecur_iterator_new(rule, start));
    if (!it) return std::nullopt;
    y.bounded = true;
    for (int n = 0; n <= ics_last_year_read - 1583; ++n) {
      const icaltimetype t = icalrecur_iterator_next(it.get());
      if (icaltime_is_null_time(t) || !sane(t)) break;
      if (t.year > ics_last_year_read) {
        y.bounded = false;
        break;
      }
      if (excluded.count(seconds_of(t)) == 0) y.days.push_back(day_of(t));
    }
    return y;
  }

  icalcomponent* event_;
  const component_lines& lines_;
  day_number first_;
  day_number last_;
  const std::set<std::int64_t>& replaced_;
  ics_calendar& out_;
  std::int64_t length_ = 0;
  bool dtend_ = false;
  bool capped_ = false;
};

}  // namespace

std::variant<ics_calendar, ics_error> read_ics(std::string_view text, day_number first, day_number last) {
  if (text.size() > largest_file) {
    return ics_error{1, "the file is larger than " + std::to_string(largest_file / 1024 / 1024) + " MiB"};
  }
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return ics_error{static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n')) + 1,
                     "a NUL byte: this is no text file"};
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  auto scanned = scan_ics_lines(text);
  if (auto* e = std::get_if<ics_error>(&scanned)) return *e;
  const scanned_file& file = std::get<scanned_file>(scanned);

  icalerror_set_errors_are_fatal(0);
  const std::string copy(text);
  std::unique_ptr<icalcomponent, freer> root(icalparser_parse_string(copy.c_str()));
  icalcomponent* calendar = root.get();
  if (calendar != nullptr && icalcomponent_isa(calendar) != ICAL_VCALENDAR_COMPONENT) {
    calendar = icalcomponent_get_first_component(calendar, ICAL_VCALENDAR_COMPONENT);
  }
  if (calendar == nullptr) return ics_error{file.calendar_line, "libical cannot read the VCALENDAR"};

  // The children libical kept, matched to the scan's by kind and order.
  std::map<std::string, std::vector<const component_lines*>> lines_by_kind;
  for (const component_lines& c : file.children) lines_by_kind[c.kind].push_back(&c);
  std::vector<std::pair<icalcomponent*, const component_lines*>> events;
  std::map<std::string, std::size_t> seen;
  for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT); c != nullptr;
       c = icalcomponent_get_next_component(calendar, ICAL_ANY_COMPONENT)) {
    const std::string kind = icalcomponent_kind_to_string(icalcomponent_isa(c));
    const auto& candidates = lines_by_kind[kind];
    const std::size_t index = seen[kind]++;
    const component_lines* lines = index < candidates.size() ? candidates[index] : nullptr;
    const std::size_t line = lines ? lines->begin : file.calendar_line;
    if (kind == "VTIMEZONE") {
      if (icalproperty* p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY)) {
        return ics_error{line, "libical cannot read this VTIMEZONE: " + clean_name(icalproperty_get_xlicerror(p))};
      }
    } else if (kind == "VEVENT") {
      if (lines == nullptr) return ics_error{line, "libical read an event the file does not hold"};
      events.emplace_back(c, lines);
    }
  }

  // A RECURRENCE-ID event replaces one occurrence of the event of its UID.
  std::map<std::string, std::set<std::int64_t>> replaced;
  for (const auto& [event, lines] : events) {
    icalproperty* recurrence_id = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);
    if (recurrence_id == nullptr) continue;
    const icaltimetype id = icalproperty_get_datetime_with_component(recurrence_id, event);
    const char* uid = icalcomponent_get_uid(event);
    if (!sane(id) || uid == nullptr) continue;
    const icaltimetype start = icalcomponent_get_dtstart(event);
    icaltimetype key_time = id;
    if (id.is_date != start.is_date && sane(start)) key_time.is_date = start.is_date;
    replaced[uid].insert(seconds_of(key_time));
  }
  ics_calendar out;
  static const std::set<std::int64_t> none;
  for (const auto& [event, lines] : events) {
    const char* uid = icalcomponent_get_uid(event);
    const bool is_replacement = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY) != nullptr;
    const auto found = uid != nullptr && !is_replacement ? replaced.find(uid) : replaced.end();
    event_reader reader(event, *lines, first, last, found != replaced.end() ? found->second : none, out);
    if (auto e = reader.read()) return *e;
  }
  return out;
}

}  // namespace callpolicy
