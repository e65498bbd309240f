// `callpolicy import-ics` on exports shaped as Google Calendar, Outlook and
// Apple Calendar write them (tests/data/ics/): what it writes compiles
// clean under `check --strict` beside the clinic that uses it, decides
// calls, and every malformed file is an error at its line.
#include <boost/test/unit_test.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {

const std::string data = CALLPOLICY_SOURCE_DIR "/tests/data/ics/";
const std::string clinic_file = data + "maple-dental.policy";

// The export imported for maple-dental over 2027, written into a set of
// its own beside the clinic, which uses it.
struct imported_set {
  temp_dir dir;
  process_result import;
  std::string calendar;
  explicit imported_set(const std::string& export_name) {
    import = run_callpolicy({"import-ics", data + export_name, "--calendar", "maple-closures", "--from", "2027-01-01",
                             "--to", "2027-12-31", "--clinic", "maple-dental", "--context", clinic_file});
    calendar = import.out;
    dir.write("maple-closures.policy", calendar);
    std::string clinic = read_text(clinic_file);
    const std::string use = "use ca-on";
    clinic.replace(clinic.find(use), use.size(), "use ca-on\n    use maple-closures");
    dir.write("maple-dental.policy", clinic);
  }
  bool has(const std::string& text) const { return calendar.find(text) != std::string::npos; }
};

void check_strict(const imported_set& set) {
  BOOST_TEST(set.import.exit_code == 0, set.import.err);
  const auto check = run_callpolicy({"check", "--strict", set.dir.path()});
  BOOST_TEST(check.exit_code == 0, set.calendar << check.out << check.err);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_google_export_gives_days_ranges_and_a_yearly_rule_with_its_exception) {
  const imported_set set("google-closures.ics");
  check_strict(set);
  BOOST_TEST(set.has("2027-04-16                        \"Conference day\""), set.calendar);
  // The break runs into 2028 and is kept whole.
  BOOST_TEST(set.has("2027-12-24..2028-01-02            \"Winter break\""), set.calendar);
  // FREQ=YEARLY from 2026 with EXDATE 2028-08-07: two runs of the rule.
  BOOST_TEST(set.has("from 2026 until 2027 yearly 08-07 \"Staff picnic\""), set.calendar);
  BOOST_TEST(set.has("from 2029 yearly 08-07            \"Staff picnic\""), set.calendar);
  BOOST_TEST(!set.has("Renovation"), "a cancelled event is left out");
  BOOST_TEST(set.import.err.find("google-closures.ics:84: note: a cancelled event") != std::string::npos, set.import.err);
  // 12:00-17:00 on a 09:00-17:00 Friday leaves the morning.
  BOOST_TEST(set.has("#     2027-03-12  09:00-12:00  # Staff training (afternoon) 12:00-17:00"), set.calendar);

  const auto closed = run_callpolicy({"eval", set.dir.path(), "--clinic", "maple-dental", "--at", "2027-08-07T10:00", "--explain"});
  BOOST_TEST(closed.out.find("Staff picnic (from 2026 until 2027 yearly 08-07, ") != std::string::npos, closed.out);
  const auto excepted = run_callpolicy({"eval", set.dir.path(), "--clinic", "maple-dental", "--at", "2028-08-07T10:00", "--explain"});
  BOOST_TEST(excepted.out.find("Staff picnic") == std::string::npos, excepted.out);
  const auto later = run_callpolicy({"eval", set.dir.path(), "--clinic", "maple-dental", "--at", "2031-08-07T10:00", "--explain"});
  BOOST_TEST(later.out.find("Staff picnic (from 2029 yearly 08-07, ") != std::string::npos, later.out);
}

BOOST_AUTO_TEST_CASE(an_outlook_export_expands_weekly_rules_with_their_exceptions_in_a_windows_zone) {
  const imported_set set("outlook-closures.ics");
  check_strict(set);
  // Every other Wednesday until 2027-03-10, less 2027-02-10.
  for (const char* day : {"2027-01-13", "2027-01-27", "2027-02-24", "2027-03-10"}) {
    BOOST_TEST(set.has(std::string(day) + " \"Team training day\""), day << "\n" << set.calendar);
  }
  BOOST_TEST(!set.has("2027-02-10"), set.calendar);
  BOOST_TEST(!set.has("Sterilizer"), "its three Tuesdays were in 2026");
  BOOST_TEST(set.has("2027-06-03 \"Office closed - equipment installation\""), set.calendar);
  // Fridays 13:00-17:00 "Eastern Standard Time" (the file's VTIMEZONE),
  // July 2 to August 27, less July 30.
  int fridays = 0;
  for (std::size_t at = 0; (at = set.calendar.find("  09:00-13:00  # Summer Friday afternoons 13:00-17:00", at)) != std::string::npos; ++at) {
    ++fridays;
  }
  BOOST_TEST(fridays == 8, set.calendar);
  BOOST_TEST(!set.has("2027-07-30"), set.calendar);
  BOOST_TEST(set.has("#     2027-08-27  09:00-13:00"), set.calendar);
}

BOOST_AUTO_TEST_CASE(an_apple_export_keeps_nth_weekday_rules_moved_instances_and_other_zones) {
  const imported_set set("apple-closures.ics");
  check_strict(set);
  BOOST_TEST(set.has("from 2026 yearly 1st mon of aug \"Staff day (Civic Holiday)\""), set.calendar);
  BOOST_TEST(set.has("2027-11-11                      \"Remembrance Day\""), set.calendar);
  // A monthly meeting, its February one moved a week by a RECURRENCE-ID event.
  BOOST_TEST(set.has("#     2027-01-07  09:00-15:00"), set.calendar);
  BOOST_TEST(!set.has("2027-02-04"), set.calendar);
  BOOST_TEST(set.has("#     2027-02-11  09:00-15:00  # Quarterly staff meeting (moved)"), set.calendar);
  // 08:00-12:00 in Vancouver is 11:00-15:00 in Toronto; 19:00Z in October is 15:00 EDT.
  BOOST_TEST(set.has("#     2027-09-15  09:00-11:00, 15:00-17:00"), set.calendar);
  BOOST_TEST(set.has("#     2027-10-20  09:00-15:00  # Fire inspection 15:00-17:00 (UTC)"), set.calendar);
  const auto staff_day = run_callpolicy({"eval", set.dir.path(), "--clinic", "maple-dental", "--at", "2030-08-05T10:00", "--explain"});
  BOOST_TEST(staff_day.out.find("Staff day (Civic Holiday) (from 2026 yearly 1st mon of aug") != std::string::npos, staff_day.out);
}

BOOST_AUTO_TEST_CASE(without_a_clinic_a_closure_of_part_of_a_day_is_reported) {
  const auto r = run_callpolicy({"import-ics", data + "google-closures.ics", "--calendar", "maple-closures", "--from",
                                 "2027-01-01", "--to", "2027-12-31"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.err.find("google-closures.ics:67: note: 'Staff training (afternoon)' at 2027-03-12 12:00 America/Toronto "
                        "closes part of a day") != std::string::npos,
             r.err);
  BOOST_TEST(r.out.find("special") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("\"Conference day\"") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_malformed_file_is_an_error_at_its_line) {
  temp_dir dir;
  const auto event = [](const std::string& lines) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@example\r\n" + lines +
           "END:VEVENT\r\nEND:VCALENDAR\r\n";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "bad.ics:1: error: the file holds no VCALENDAR"},
      {"Subject,Start Date\nDentist,2027-01-01\n", "bad.ics:1: error: this is no iCalendar file"},
      {event("DTSTART;VALUE=DATE:20270301\r\n").substr(0, 80), "bad.ics:6: error: 'D' is no iCalendar content line"},
      {event("DTSTART:2027XX01T100000\r\n"), "bad.ics:6: error: libical cannot read this event: Can't parse as DATE-TIME value in DTSTART property: 2027XX01T100000"},
      {event("DTSTART;VALUE=DATE:20271301\r\n"), "bad.ics:6: error: DTSTART is no date"},
      {event("DTSTART;TZID=Mars/Olympus:20270301T100000\r\n"), "bad.ics:6: error: TZID 'Mars/Olympus' is neither"},
      {event("DTSTART;VALUE=DATE:20270301\r\nRRULE:FREQ=SOMETIMES\r\n"), "bad.ics:7: error: libical cannot read this event"},
      {event("DTSTART;VALUE=DATE:20270305\r\nDTEND;VALUE=DATE:20270301\r\n"), "bad.ics:7: error: the event ends before it starts"},
      {event("SUMMARY:no start\r\n"), "bad.ics:4: error: an event without DTSTART"},
      {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "bad.ics:3: error: END:VTODO closes BEGIN:VEVENT of line 2"},
      {"BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n", "bad.ics:2: error: 'no colon here' is no iCalendar content line"},
      {std::string("BEGIN:VCALENDAR\r\nX:\0\r\nEND:VCALENDAR\r\n", 34), "bad.ics:2: error: a NUL byte"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string path = dir.write("bad.ics", text);
    const auto r = run_callpolicy({"import-ics", path, "--calendar", "c", "--from", "2027-01-01"});
    BOOST_TEST(r.exit_code == 1, text << "\n" << r.err);
    BOOST_TEST(r.err.find(expected) != std::string::npos, "want '" << expected << "'\ngot: " << r.err);
    BOOST_TEST(r.out.empty());
  }
  // Folding may split a name; the line is the one it starts on.
  const auto folded = run_callpolicy({"import-ics", dir.write("folded.ics", event("DTST\r\n ART;VALUE=DATE:20270301\r\nSUMMARY:Fol\r\n\tded\r\n")),
                                      "--calendar", "c", "--from", "2027-01-01"});
  BOOST_TEST(folded.exit_code == 0, folded.err);
  BOOST_TEST(folded.out.find("2027-03-01 \"Folded\"") != std::string::npos, folded.out);
  // What is pasted from the file into the policy (a name, a zone) is one
  // line: a carriage return inside a TZID or SUMMARY reaches no output.
  const std::string odd_zone =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Odd\rZone\r\nBEGIN:STANDARD\r\n"
      "DTSTART:19700101T000000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
      "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=\"Odd\rZone\":20270312T120000\r\nDTEND;TZID=\"Odd\rZone\":20270312T130000\r\n"
      "SUMMARY:Lunch\rand\u0007more\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20270315\r\n"
      "SUMMARY:Closed\rall\u0001day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  const auto pasted = run_callpolicy({"import-ics", dir.write("odd.ics", odd_zone), "--calendar", "c", "--from", "2027-01-01",
                                      "--clinic", "maple-dental", "--context", clinic_file});
  BOOST_TEST(pasted.exit_code == 0, pasted.err);
  BOOST_TEST(pasted.out.find("(Odd Zone)") != std::string::npos, pasted.out);
  BOOST_TEST(pasted.out.find("\"Closed all day\"") != std::string::npos, pasted.out);
  for (const char c : pasted.out) BOOST_TEST((c == '\n' || static_cast<unsigned char>(c) >= 0x20), "control byte " << int(c));
  // Deep nesting is refused before libical's recursive parser sees it.
  std::string deep = "BEGIN:VCALENDAR\r\n";
  for (int i = 0; i < 6000; ++i) deep += "BEGIN:X-DEEP\r\n";
  const auto r = run_callpolicy({"import-ics", dir.write("deep.ics", deep), "--calendar", "c"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("deep.ics:9: error: components nest more than 8 deep") != std::string::npos, r.err);
  const auto usage = run_callpolicy({"import-ics", data + "google-closures.ics", "--calendar", "Not A Slug"});
  BOOST_TEST(usage.exit_code == 2, usage.err);
  const auto built_in = run_callpolicy({"import-ics", data + "google-closures.ics", "--calendar", "ca-on"});
  BOOST_TEST(built_in.exit_code == 2, built_in.err);
  BOOST_TEST(built_in.err.find("'ca-on' is a built-in calendar") != std::string::npos, built_in.err);
}
