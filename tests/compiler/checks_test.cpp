// Every error and warning of the compiler's checks, with its position.
#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "compiler/compiler.h"

using namespace callpolicy;

namespace {

struct compiled {
  diagnostic_sink sink;
  compile_output output;
};

compiled compile_files(const std::vector<std::pair<std::string, std::string>>& files,
                       day_number today = days_from_civil(2026, 11, 24)) {
  source_set sources;
  for (const auto& [path, text] : files) sources.files.push_back({path, text});
  compiled c;
  c.output = compile_sources(sources, {today}, c.sink);
  return c;
}

compiled compile_text(const std::string& text) { return compile_files({{"t.policy", text}}); }

const diagnostic* find(const compiled& c, std::string_view code) {
  for (const diagnostic& d : c.sink.all()) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

void expect_at(const compiled& c, std::string_view code, std::uint32_t line, std::uint32_t column,
               const std::string& file = "t.policy") {
  const diagnostic* d = find(c, code);
  BOOST_TEST_INFO("code " << code);
  BOOST_REQUIRE(d != nullptr);
  BOOST_TEST(d->where.file == file);
  BOOST_TEST(d->where.line == line);
  BOOST_TEST(d->where.column == column);
}

std::string clinic(const std::string& body, const std::string& id = "c") {
  return "clinic " + id + " {\n  timezone \"America/Toronto\"\n  fallback voicemail\n" + body + "\n}\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(unknown_zone_suggests_the_nearest) {
  const auto c = compile_text("clinic c {\n  timezone \"America/Torronto\"\n}\n");
  expect_at(c, codes::unknown_time_zone, 2, 12);
  BOOST_TEST(find(c, codes::unknown_time_zone)->notes.at(0) == "did you mean 'America/Toronto'?");
}

BOOST_AUTO_TEST_CASE(a_legacy_zone_is_accepted_with_a_warning_naming_the_zone_to_use) {
  const auto c = compile_text("clinic c {\n  timezone \"US/Eastern\"\n  fallback voicemail\n}\n");
  BOOST_TEST(!c.sink.has_errors());
  expect_at(c, codes::legacy_time_zone, 2, 12);
  BOOST_TEST(find(c, codes::legacy_time_zone)->notes.at(0) == "use the place's own zone, e.g. 'America/New_York'");
  BOOST_TEST(!find(compile_text(clinic("")), codes::legacy_time_zone));
}

BOOST_AUTO_TEST_CASE(a_special_range_covers_at_most_a_year) {
  const auto c = compile_text(clinic("  special {\n    2026-01-01..9999-12-31 closed\n  }"));
  expect_at(c, codes::special_range_too_long, 5, 5);
  BOOST_TEST(!find(compile_text(clinic("  special {\n    2028-01-01..2028-12-31 closed\n  }")),
                   codes::special_range_too_long));
}

BOOST_AUTO_TEST_CASE(missing_zone) {
  expect_at(compile_text("clinic c {\n}\n"), codes::missing_time_zone, 1, 8);
}

BOOST_AUTO_TEST_CASE(duplicate_ids_numbers_and_sip_users_across_files) {
  const auto c = compile_files(
      {{"a.policy", clinic("  numbers { ported +14165550001\n sip desk }", "a")},
       {"b.policy", clinic("  numbers { forwarded +14165550001\n sip desk }", "b")},
       {"c.policy", clinic("", "a")}});
  expect_at(c, codes::duplicate_number, 4, 23, "b.policy");
  expect_at(c, codes::duplicate_sip_user, 5, 6, "b.policy");
  expect_at(c, codes::duplicate_clinic, 1, 8, "c.policy");
  BOOST_TEST(find(c, codes::duplicate_clinic)->notes.at(0) == "first defined at a.policy:1:8");
}

// An emptied file is what a truncation or a write lost to a full disk
// leaves: an error, never a clinic removed in silence.
BOOST_AUTO_TEST_CASE(a_file_that_declares_nothing_is_an_error) {
  for (const std::string text : {"", "\n\n  \t\n", "# lakeside vet\n# owner: front desk\n", "# cut short mid-comm"}) {
    BOOST_TEST_CONTEXT("text '" << text << "'") {
      const auto c = compile_files({{"a.policy", clinic("", "a")}, {"b.policy", text}});
      expect_at(c, codes::empty_file, 1, 1, "b.policy");
      BOOST_TEST(c.sink.error_count() == 1u);
      BOOST_TEST(find(c, codes::empty_file)->message == "the file declares nothing: no clinic, calendar or test");
    }
  }
  // A file of calendars only or of tests only declares something.
  const auto shared = compile_files({{"a.policy", clinic("", "a")},
                                     {"cal.policy", "# shared\ncalendar x { 2026-12-25 }\n"},
                                     {"t.policy", "test \"t\" { at 2026-12-02T10:00 expect voicemail }\n"}});
  BOOST_TEST(!find(shared, codes::empty_file));
  // A file cut short mid-item is a syntax error, reported once, not also empty.
  const auto cut = compile_files({{"a.policy", clinic("", "a")}, {"b.policy", "clinic b {\n  timezone \"Amer"}});
  BOOST_TEST(find(cut, codes::syntax));
  BOOST_TEST(!find(cut, codes::empty_file));
}

BOOST_AUTO_TEST_CASE(calendars_unknown_duplicate_and_cyclic) {
  const auto c = compile_files({{"cal.policy", R"(calendar a { use b }
calendar b { use a }
calendar d { 2026-12-25 }
calendar d { 2026-12-26 }
)"},
                                {"t.policy", clinic("  holidays { use nowhere }")}});
  expect_at(c, codes::calendar_cycle, 2, 14, "cal.policy");
  BOOST_TEST(find(c, codes::calendar_cycle)->message == "calendar cycle: 'a' -> 'b' -> 'a'");
  expect_at(c, codes::duplicate_calendar, 4, 10, "cal.policy");
  expect_at(c, codes::unknown_calendar, 4, 14);
}

BOOST_AUTO_TEST_CASE(calendars_flatten_across_files) {
  const auto c = compile_files({{"cal.policy", "calendar a { yearly 07-01 \"x\"\n use b }\ncalendar b { 2026-12-25 }\n"},
                                {"t.policy", clinic("  numbers { sip c }\n  mode after-hours-only\n"
                                                    "  hours { mon-fri 09:00-17:00 }\n"
                                                    "  holidays { use a\n 2026-12-24 }")}});
  BOOST_TEST(c.sink.all().empty());
  BOOST_REQUIRE_EQUAL(c.output.set.clinics.size(), 1u);
  BOOST_TEST(c.output.set.clinics[0].holidays.size() == 3u);
}

BOOST_AUTO_TEST_CASE(route_structure_errors) {
  expect_at(compile_text(clinic("  mode always\n  route { otherwise -> ai }")), codes::mode_and_route, 5, 3);
  expect_at(compile_text(clinic("  route { open -> ai }")), codes::missing_otherwise, 4, 3);
  expect_at(compile_text(clinic("  route {\n    otherwise -> ai\n    open -> busy\n  }")),
            codes::otherwise_not_last, 5, 5);
}

BOOST_AUTO_TEST_CASE(actions_and_conditions_need_their_configuration) {
  expect_at(compile_text(clinic("  route { otherwise -> forward }")), codes::action_not_configured, 4, 24);
  expect_at(compile_text(clinic("  route { overflow -> ai\n otherwise -> busy }")),
            codes::overflow_without_threshold, 4, 11);
  expect_at(compile_text(clinic("  mode overflow-only")), codes::overflow_without_threshold, 4, 8);
  expect_at(compile_text(clinic("  route { scheduled -> ai\n otherwise -> busy }")),
            codes::scheduled_without_schedule, 4, 11);
  expect_at(compile_text(clinic("  numbers { ported +14165550001 }\n  forward +14165550001\n  mode disabled")),
            codes::forward_loop, 5, 11);
  expect_at(compile_text("clinic c {\n  timezone \"UTC\"\n  fallback fallback\n}\n"),
            codes::fallback_is_fallback, 3, 12);
}

BOOST_AUTO_TEST_CASE(menus_and_forward_follow_ons_are_checked) {
  const std::string numbers = "  numbers { ported +14165551234 }\n";
  const auto dup = compile_text(clinic(numbers + "  mode disabled\n  menu {\n    1 -> ai\n    1 -> voicemail\n  }"));
  expect_at(dup, codes::duplicate_menu_key, 8, 5);
  BOOST_TEST(find(dup, codes::duplicate_menu_key)->notes.at(0) == "first mapped at t.policy:7:5");
  expect_at(compile_text(clinic("  menu {\n    say \"Hello.\"\n  }")), codes::empty_menu, 4, 3);
  expect_at(compile_text(clinic("  menu {\n    1 -> menu\n  }")), codes::menu_names_menu, 5, 10);
  // `fallback` in a menu is the clinic's fallback, which may not be the menu either.
  const auto via_fallback = compile_text(
      "clinic c {\n  timezone \"UTC\"\n  fallback menu\n  menu {\n    1 -> fallback\n  }\n}\n");
  expect_at(via_fallback, codes::menu_names_menu, 5, 10);
  BOOST_TEST(find(via_fallback, codes::menu_names_menu)->message == "menu key 1 cannot be 'menu' (the clinic's fallback)");
  expect_at(compile_text(clinic("  forward +14165550000 { unanswered forward }")), codes::forward_unanswered_by_forward,
            4, 37);
  // What a menu or a forward's follow-on names must be configured.
  expect_at(compile_text(clinic("  menu {\n    2 -> forward\n  }")), codes::action_not_configured, 5, 10);
  expect_at(compile_text(clinic("  forward +14165550000 { unanswered menu }")), codes::action_not_configured, 4, 37);
  expect_at(compile_text(clinic("  route {\n    otherwise -> menu\n  }")), codes::action_not_configured, 5, 18);
  expect_at(compile_text(clinic("  region \"QQ\"")), codes::unknown_region, 4, 10);
  // The AI's follow-on is never the AI, directly or through the fallback, and what it names is configured.
  expect_at(compile_text(clinic("  ai { unavailable ai }")), codes::ai_unavailable_by_ai, 4, 20);
  const auto ai_fallback = compile_text("clinic c {\n  timezone \"UTC\"\n  fallback ai\n  ai { unavailable fallback }\n}\n");
  expect_at(ai_fallback, codes::ai_unavailable_by_ai, 4, 20);
  BOOST_TEST(find(ai_fallback, codes::ai_unavailable_by_ai)->message ==
             "the AI's 'unavailable' cannot be 'ai' (the clinic's fallback)");
  expect_at(compile_text(clinic("  ai { unavailable forward }")), codes::action_not_configured, 4, 20);
  // A capacity caps the clinic's live AI legs; none at all is a mistake.
  expect_at(compile_text(clinic("  ai { capacity 0 }")), codes::ai_capacity_zero, 4, 17);
  const auto capped = compile_text(clinic("  ai { capacity 3 }"));
  BOOST_TEST(!capped.sink.has_errors());
  BOOST_REQUIRE(capped.output.set.clinics.size() == 1u);
  BOOST_TEST(capped.output.set.clinics[0].ai.capacity == 3u);
  expect_at(compile_text(clinic("  ai { capacity 3 capacity 4 }")), codes::duplicate_item, 4, 19);
  const auto ai_ok = compile_text(clinic("  ai { sip \"sip:c@sip.vapi.ai\" timeout 9s unavailable busy }"));
  BOOST_TEST(!ai_ok.sink.has_errors());
  BOOST_REQUIRE(ai_ok.output.set.clinics.size() == 1u);
  BOOST_TEST(ai_ok.output.set.clinics[0].ai.timeout_seconds == 9u);
  BOOST_TEST((ai_ok.output.set.clinics[0].ai.unavailable == action_kind::busy));
  // Without sip or redirect the target stays the server's.
  const auto ai_default = compile_text(clinic("  ai { timeout 20s }"));
  BOOST_REQUIRE(ai_default.output.set.clinics.size() == 1u);
  BOOST_TEST((ai_default.output.set.clinics[0].ai.type == ai_config::kind::server_default));
  BOOST_TEST((ai_default.output.set.clinics[0].ai.unavailable == action_kind::voicemail));
  // A key like 12 or # is a syntax error naming what a key is.
  const auto two_digits = compile_text(clinic("  menu {\n    12 -> ai\n  }"));
  expect_at(two_digits, codes::syntax, 5, 5);
  BOOST_TEST(find(two_digits, codes::syntax)->message.find("0-9 or *") != std::string::npos);

  // A good flow compiles to its config, with a composed greeting when none is given.
  const auto good = compile_text(clinic(numbers + R"(  route {
    otherwise -> menu
  }
  forward +14165550000 { unanswered ai caller-id +14165559999 }
  menu {
    1 -> ai
    2 -> forward
    * -> hangup
    timeout 9s -> fallback
  })"));
  BOOST_TEST(!good.sink.has_errors());
  BOOST_REQUIRE(good.output.set.clinics.size() == 1u);
  const compiled_clinic& cc = good.output.set.clinics.front();
  BOOST_TEST((cc.forward.unanswered == action_kind::ai));
  BOOST_TEST(cc.forward.caller_id == "+14165559999");
  BOOST_TEST((cc.menu.keys[2] == action_kind::forward));
  BOOST_TEST((cc.menu.keys[10] == action_kind::hangup));
  BOOST_TEST((cc.menu.on_timeout == action_kind::voicemail));
  BOOST_TEST(cc.menu.timeout_seconds == 9u);
  BOOST_TEST(cc.menu.say ==
             "Press 1 to speak with our assistant. Press 2 to reach our staff. Press star to end the call.");
  BOOST_TEST(cc.region == "CA");  // from +1416, a Toronto number
}

BOOST_AUTO_TEST_CASE(callback_offers_are_checked) {
  // No block is needed: the offer has defaults.
  const auto bare = compile_text(clinic("  route {\n    otherwise -> callback\n  }"));
  BOOST_TEST(!bare.sink.has_errors());
  BOOST_REQUIRE(bare.output.set.clinics.size() == 1u);
  BOOST_TEST((bare.output.set.clinics[0].callback == callback_config{}));
  const auto given = compile_text(
      clinic("  forward +14165550000\n  callback { say \"Press 1.\" confirm \"OK:\" timeout 5s otherwise forward }"));
  BOOST_TEST(!given.sink.has_errors());
  BOOST_REQUIRE(given.output.set.clinics.size() == 1u);
  const callback_config& offer = given.output.set.clinics[0].callback;
  BOOST_TEST(offer.say == "Press 1.");
  BOOST_TEST(offer.confirm == "OK:");
  BOOST_TEST(offer.timeout_seconds == 5u);
  BOOST_TEST((offer.otherwise == action_kind::forward));
  // Silence never offers again, nor plays a menu that could lead back.
  const auto again = compile_text(clinic("  callback { otherwise callback }"));
  expect_at(again, codes::callback_loop, 4, 24);
  BOOST_TEST(find(again, codes::callback_loop)->message == "the callback offer's 'otherwise' cannot be 'callback'");
  const auto by_fallback =
      compile_text("clinic c {\n  timezone \"UTC\"\n  fallback menu\n  menu { 1 -> ai }\n"
                   "  callback { otherwise fallback }\n}\n");
  expect_at(by_fallback, codes::callback_loop, 5, 24);
  BOOST_TEST(find(by_fallback, codes::callback_loop)->message ==
             "the callback offer's 'otherwise' cannot be 'menu' (the clinic's fallback)");
  expect_at(compile_text(clinic("  callback { otherwise forward }")), codes::action_not_configured, 4, 24);
  expect_at(compile_text(clinic("  callback { timeout 5s timeout 6s }")), codes::duplicate_item, 4, 25);
  // `otherwise` takes no arrow: the one way on.
  const auto arrow = compile_text(clinic("  callback { otherwise -> voicemail }"));
  expect_at(arrow, codes::syntax, 4, 24);
  // A static document cannot gather digits.
  expect_at(compile_text(clinic("  unreachable callback")), codes::unreachable_needs_the_server, 4, 15);
}

BOOST_AUTO_TEST_CASE(notify_urls_are_http_or_https) {
  const auto ok = compile_text(clinic("  notify { url \"https://desk.example.com/hooks\" }"));
  BOOST_TEST(!ok.sink.has_errors());
  BOOST_REQUIRE(ok.output.set.clinics.size() == 1u);
  BOOST_TEST(ok.output.set.clinics[0].notify_url == "https://desk.example.com/hooks");
  for (const char* bad : {"ftp://desk.example.com/x", "https:///nohost", "desk.example.com", "http://a b"}) {
    BOOST_TEST_INFO(bad);
    expect_at(compile_text(clinic(std::string("  notify { url \"") + bad + "\" }")), codes::bad_notify_url, 4, 16);
  }
  expect_at(compile_text(clinic("  notify { }\n  notify { }")), codes::duplicate_item, 5, 3);
}

BOOST_AUTO_TEST_CASE(waits_need_lines) {
  const auto none = compile_text(clinic("  route {\n    wait > 4m -> busy\n    otherwise -> ai\n  }"));
  expect_at(none, codes::wait_without_lines, 5, 5);
  expect_at(compile_text(clinic("  lines 0")), codes::wait_without_lines, 4, 9);
  // The overflow threshold stands in for the lines.
  const auto by_overflow = compile_text(clinic("  overflow 4\n  route {\n    wait > 4m -> busy\n    otherwise -> ai\n  }"));
  BOOST_TEST(!by_overflow.sink.has_errors());
  BOOST_REQUIRE(by_overflow.output.set.clinics.size() == 1u);
  BOOST_TEST(by_overflow.output.set.clinics[0].lines == 4u);
  const auto given = compile_text(clinic("  overflow 4\n  lines 2\n  route {\n    wait>=90s -> busy\n    otherwise -> ai\n  }"));
  BOOST_TEST(!given.sink.has_errors());
  BOOST_REQUIRE(given.output.set.clinics.size() == 1u);
  BOOST_TEST(given.output.set.clinics[0].lines == 2u);
  const auto& leaves = given.output.set.clinics[0].leaves;
  BOOST_TEST(std::any_of(leaves.begin(), leaves.end(), [](const tree_leaf& l) { return l.reason == "wait >= 90s"; }));
  expect_at(compile_text(clinic("  lines 2\n  route {\n    wait > 0s -> busy\n    otherwise -> ai\n  }")),
            codes::bad_duration, 6, 12);
}

BOOST_AUTO_TEST_CASE(test_callers_read_in_the_clinics_region) {
  const std::string body = "  numbers { ported +14165551234 }\n  mode always\n";
  const auto national = compile_text(clinic(body) + "test \"t\" {\n  at 2026-12-02T10:00\n  caller 4165550111\n  expect ai\n}\n");
  BOOST_TEST(!national.sink.has_errors());
  const auto bad = compile_text(clinic(body) + "test \"t\" {\n  at 2026-12-02T10:00\n  caller \"front desk\"\n  expect ai\n}\n");
  expect_at(bad, codes::bad_caller, 10, 10);
  BOOST_TEST(find(bad, codes::bad_caller)->message ==
             "caller 'front desk' is not a phone number in E.164 or in the national form of CA");
  // Without numbers, the region is the country of the clinic's zone; UTC has none.
  const std::string test = "test \"t\" {\n  at 2026-12-02T10:00\n  caller 4165550111\n  expect ai\n}\n";
  BOOST_TEST(!compile_text(clinic("  mode always\n") + test).sink.has_errors());
  const auto no_region = compile_text("clinic c {\n  timezone \"UTC\"\n  mode always\n}\n" + test);
  expect_at(no_region, codes::bad_caller, 7, 10);
  BOOST_TEST(find(no_region, codes::bad_caller)->message ==
             "caller '4165550111' is not a phone number in E.164 (the clinic has no region for national forms)");
}

BOOST_AUTO_TEST_CASE(test_block_errors) {
  const auto c = compile_text(clinic("  hours { mon-fri 09:00-17:00 }") + R"(
test "unknown" { clinic nobody at 2026-12-02T10:00 expect ai }
test "incomplete" { at 2026-12-02T10:00 }
test "gap" { at 2027-03-14T02:30 expect ai }
test "overlap" { at 2026-11-01T01:30 expect ai }
)");
  expect_at(c, codes::test_unknown_clinic, 7, 25);
  expect_at(c, codes::test_incomplete, 8, 1);
  expect_at(c, codes::test_time_nonexistent, 9, 17);
  expect_at(c, codes::ambiguous_time, 10, 21);
  const auto two = compile_files({{"a.policy", clinic("", "a")}, {"b.policy", clinic("", "b")},
                                  {"t.policy", "test \"which\" { at 2026-12-02T10:00 expect ai }\n"}});
  expect_at(two, codes::test_needs_clinic, 1, 1);
}

BOOST_AUTO_TEST_CASE(default_fallback_and_duplicate_day_warnings) {
  const auto c = compile_text("clinic c {\n  timezone \"UTC\"\n  hours {\n    mon-fri 09:00-17:00\n    wed 10:00-12:00\n  }\n  mode after-hours-only\n}\n");
  expect_at(c, codes::default_fallback, 1, 8);
  expect_at(c, codes::duplicate_day, 5, 5);
  BOOST_TEST(c.sink.error_count() == 0u);
  // The later line replaces the earlier one for that day only.
  const compiled_clinic& cc = c.output.set.clinics.at(0);
  BOOST_TEST(cc.weekly_hours[2].at(0).start == 600);
  BOOST_TEST(cc.weekly_hours[1].at(0).start == 540);
  BOOST_TEST((cc.fallback == action_kind::voicemail));
  // `always` never uses the fallback, so no warning.
  BOOST_TEST(!find(compile_text("clinic c { timezone \"UTC\" }"), codes::default_fallback));
}

BOOST_AUTO_TEST_CASE(modes_desugar_to_normative_reasons) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> modes{
      {"always", {"always-on"}},
      {"disabled", {"disabled"}},
      {"after-hours-only", {"business-hours", "holiday", "after-hours"}},
      {"overflow-only", {"overflow", "under-capacity"}},
      {"scheduled", {"scheduled-on", "scheduled-off"}}};
  for (const auto& [mode, reasons] : modes) {
    const auto c = compile_text(clinic("  overflow 4\n  schedule { enable weekdays }\n  mode " + mode));
    BOOST_TEST_INFO(mode);
    BOOST_REQUIRE(c.sink.error_count() == 0u);
    const compiled_clinic& cc = c.output.set.clinics.at(0);
    BOOST_TEST(cc.mode == mode);
    std::vector<std::string> got;
    for (const tree_leaf& l : cc.leaves) got.push_back(l.reason);
    std::sort(got.begin(), got.end());
    auto want = reasons;
    std::sort(want.begin(), want.end());
    BOOST_TEST(got == want, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(route_reasons_are_labels_or_canonical_conditions) {
  const auto d = compile_text(clinic(R"(  overflow 3
  route {
    ( closed  or overflow )  and via sip,ported -> ai
    not (holiday or open) -> busy
    calls>=3 -> busy as "three"
    during mon,tue,wed,thu,fri 12:00-13:00 -> ai
    otherwise -> fallback
  })"));
  BOOST_REQUIRE(d.sink.error_count() == 0u);
  std::vector<std::string> reasons;
  for (const tree_leaf& l : d.output.set.clinics.at(0).leaves) reasons.push_back(l.reason);
  for (const std::string want : {"(closed or overflow) and via ported, sip", "not (holiday or open)",
                                 "three", "during weekdays 12:00-13:00", "otherwise"}) {
    BOOST_TEST_INFO(want);
    BOOST_TEST((std::find(reasons.begin(), reasons.end(), want) != reasons.end()));
  }
}

BOOST_AUTO_TEST_CASE(tree_nodes_test_one_predicate_each_and_share) {
  const auto c = compile_text(clinic("  route {\n    calls == 2 -> busy\n    otherwise -> ai\n  }"));
  BOOST_REQUIRE(c.sink.error_count() == 0u);
  const compiled_clinic& cc = c.output.set.clinics.at(0);
  // calls == 2: calls >= 2 and not calls >= 3.
  BOOST_TEST(cc.predicates.size() == 2u);
  BOOST_TEST(cc.nodes.size() == 2u);
  BOOST_TEST(cc.predicates[0].threshold + cc.predicates[1].threshold == 5);
  // Children come before parents; the root is the last node.
  BOOST_TEST(cc.root == 1);
  BOOST_TEST(cc.nodes[1].if_true == 0);
}

BOOST_AUTO_TEST_CASE(read_sources_walks_directories_for_policy_files) {
  const auto missing = read_sources({"/nonexistent/callpolicy"});
  BOOST_TEST(missing.io_errors.size() == 1u);
  const auto found = read_sources({CALLPOLICY_SOURCE_DIR "/examples"});
  BOOST_TEST(found.io_errors.empty());
  BOOST_TEST(found.files.size() == 8u);
  BOOST_TEST(std::is_sorted(found.files.begin(), found.files.end(),
                            [](const auto& a, const auto& b) { return a.path < b.path; }));
}

BOOST_AUTO_TEST_CASE(a_sip_only_clinic_forwarding_without_caller_id_is_warned) {
  const std::string sip_only = "  numbers { sip c }\n  mode disabled\n  fallback forward\n  forward +14165550000";
  const auto c = compile_text("clinic c {\n  timezone \"America/Toronto\"\n" + sip_only + "\n}\n");
  BOOST_TEST(!c.sink.has_errors());
  expect_at(c, codes::forward_without_caller_id, 6, 11);
  // A number of its own, or an explicit caller ID, gives Twilio a valid one.
  BOOST_TEST(!find(compile_text("clinic c {\n  timezone \"America/Toronto\"\n" + sip_only +
                                " { caller-id +14165559999 }\n}\n"),
                   codes::forward_without_caller_id));
  BOOST_TEST(!find(compile_text("clinic c {\n  timezone \"America/Toronto\"\n  numbers { sip c ported +14165551234 }\n"
                                "  mode disabled\n  fallback forward\n  forward +14165550000\n}\n"),
                   codes::forward_without_caller_id));
}

BOOST_AUTO_TEST_CASE(settings_the_mode_never_reads_are_warned_naming_the_mode) {
  const auto disabled = compile_text(clinic("  numbers { sip c }\n  mode disabled\n  overflow 3\n"
                                            "  hours { mon-fri 09:00-17:00 }\n  holidays { 2026-12-25 }"));
  BOOST_TEST(!disabled.sink.has_errors());
  expect_at(disabled, codes::unused_setting, 6, 12);
  BOOST_TEST(find(disabled, codes::unused_setting)->message == "mode 'disabled' never reads 'overflow'");
  std::vector<std::string> unused;
  for (const diagnostic& d : disabled.sink.all()) {
    if (d.code == codes::unused_setting) unused.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + " " + d.message);
  }
  BOOST_TEST(unused == (std::vector<std::string>{"6:12 mode 'disabled' never reads 'overflow'",
                                                 "7:3 mode 'disabled' never reads 'hours'",
                                                 "8:3 mode 'disabled' never reads 'holidays'"}),
             boost::test_tools::per_element());
  const auto scheduled = compile_text(clinic("  numbers { sip c }\n  mode scheduled\n  overflow 3\n"
                                             "  schedule { enable mon-fri 08:00-18:00 }"));
  BOOST_TEST(find(scheduled, codes::unused_setting)->message == "mode 'scheduled' never reads 'overflow'");
  // A route that reads them through `closed` and `holiday` uses them.
  const auto route = compile_text(clinic("  numbers { sip c }\n  overflow 3\n  hours { mon-fri 09:00-17:00 }\n"
                                         "  holidays { 2026-12-25 }\n"
                                         "  route {\n    closed or overflow -> ai\n    otherwise -> voicemail\n  }"));
  BOOST_TEST(!find(route, codes::unused_setting));
  const auto unread = compile_text(clinic("  numbers { sip c }\n  overflow 3\n"
                                          "  route {\n    closed -> ai\n    otherwise -> voicemail\n  }"));
  BOOST_TEST(find(unread, codes::unused_setting)->message == "the route never reads 'overflow'");
  const auto no_ai_route = compile_text(clinic("  numbers { sip c }\n  hours { mon-fri 09:00-17:00 }\n"
                                               "  route {\n    overflow -> busy\n    otherwise -> voicemail\n  }\n"
                                               "  overflow 3"));
  BOOST_TEST(find(no_ai_route, codes::unused_setting)->message == "the route never reads 'hours'");
}

// The AI is told whether the clinic is open, when it opens next and which
// holiday it is: a clinic any call of which reaches the AI reads its hours,
// holidays and special days, whatever decides who answers.
BOOST_AUTO_TEST_CASE(hours_told_to_the_ai_are_read) {
  const std::string calendar = "  hours { mon-fri 09:00-17:00 }\n  holidays { 2026-12-25 }\n"
                               "  special { 2026-12-24 09:00-12:00 }\n";
  for (const std::string mode : {"always", "overflow-only\n  overflow 3", "scheduled\n  schedule { enable mon 08:00-09:00 }"}) {
    BOOST_TEST_CONTEXT(mode) {
      const auto c = compile_text(clinic("  numbers { sip c }\n  mode " + mode + "\n" + calendar));
      BOOST_TEST(!c.sink.has_errors());
      BOOST_TEST(!find(c, codes::unused_setting));
    }
  }
  // Reached only when a forward goes unanswered, or by a key of a menu.
  const auto unanswered = compile_text(clinic("  numbers { sip c }\n  route {\n    otherwise -> forward\n  }\n"
                                              "  forward +14165550000 { unanswered ai }\n" + calendar));
  BOOST_TEST(!unanswered.sink.has_errors());
  BOOST_TEST(!find(unanswered, codes::unused_setting));
  const auto menu = compile_text(clinic("  numbers { sip c }\n  route {\n    otherwise -> menu\n  }\n"
                                        "  menu {\n    1 -> ai\n    2 -> voicemail\n  }\n" + calendar));
  BOOST_TEST(!menu.sink.has_errors());
  BOOST_TEST(!find(menu, codes::unused_setting));
}

BOOST_AUTO_TEST_CASE(a_clinic_without_numbers_is_warned) {
  const auto c = compile_text(clinic(""));
  expect_at(c, codes::no_numbers, 1, 8);
  BOOST_TEST(!find(compile_text(clinic("  numbers { sip c }")), codes::no_numbers));
}

// A static document for Twilio's Fallback URL can dial, record or hang up;
// nothing that needs the server's callbacks.
BOOST_AUTO_TEST_CASE(unreachable_names_what_a_static_document_can_do) {
  for (const char* action : {"ai", "menu", "fallback"}) {
    BOOST_TEST_CONTEXT(action) {
      expect_at(compile_text(clinic(std::string("  numbers { sip c }\n  unreachable ") + action)),
                codes::unreachable_needs_the_server, 5, 15);
    }
  }
  expect_at(compile_text(clinic("  numbers { sip c }\n  unreachable forward")), codes::action_not_configured, 5, 15);
  for (const char* action : {"voicemail", "busy"}) {
    BOOST_TEST(!compile_text(clinic(std::string("  numbers { sip c }\n  unreachable ") + action)).sink.has_errors());
  }
}

BOOST_AUTO_TEST_CASE(transfer_blocks_are_checked) {
  const std::string base = "  numbers { ported +14165551234 }\n  forward +14165550000\n";
  // A transfer never goes back to the AI: by name, through the fallback, or through the forward's follow-on.
  const auto to_ai = compile_text(clinic(base + "  transfer {\n    otherwise -> ai\n  }"));
  expect_at(to_ai, codes::transfer_loop, 7, 18);
  const auto by_fallback =
      compile_text("clinic c {\n  timezone \"UTC\"\n  fallback ai\n  transfer {\n    otherwise -> fallback\n  }\n}\n");
  expect_at(by_fallback, codes::transfer_loop, 5, 18);
  BOOST_TEST(find(by_fallback, codes::transfer_loop)->message ==
             "a transfer from the AI cannot go back to the AI (the clinic's fallback)");
  const auto looping = compile_text(clinic(
      "  forward +14165550000 { unanswered ai }\n  transfer {\n    to +14165550000 -> forward\n    otherwise -> voicemail\n  }"));
  expect_at(looping, codes::transfer_loop, 6, 24);
  BOOST_REQUIRE(find(looping, codes::transfer_loop)->notes.size() == 2u);
  BOOST_TEST(find(looping, codes::transfer_loop)->notes[1] == "'unanswered' is given at t.policy:4:37");
  // `to` belongs to the transfer block; what a transfer rule names must be configured.
  expect_at(compile_text(clinic("  route {\n    to +14165550000 -> voicemail\n    otherwise -> ai\n  }")),
            codes::to_outside_transfer, 5, 5);
  expect_at(compile_text(clinic("  mode custom\n  route {\n    not (open and to +14165550000) -> voicemail\n"
                                "    otherwise -> ai\n  }")),
            codes::to_outside_transfer, 6, 19);
  expect_at(compile_text(clinic("  transfer {\n    otherwise -> forward\n  }")), codes::action_not_configured, 5, 18);
  expect_at(compile_text(clinic(base + "  transfer {\n    otherwise -> busy\n    closed -> voicemail\n  }")),
            codes::otherwise_not_last, 7, 5);
  expect_at(compile_text(clinic(base + "  transfer {\n    to 911 -> forward\n  }")), codes::syntax, 7, 8);

  // A good block compiles to a tree of its own; the clinic's tree never tests `to`.
  const auto good = compile_text(clinic(base + R"(  transfer {
    closed                       -> voicemail as "transfer after hours"
    to +14165550000, +14165550001 -> forward
  })"));
  BOOST_TEST(!good.sink.has_errors());
  BOOST_REQUIRE(good.output.set.clinics.size() == 1u);
  const compiled_clinic& c = good.output.set.clinics[0];
  BOOST_TEST(c.transfer.configured);
  BOOST_TEST(c.transfer.nodes.size() >= 2u);
  std::vector<std::string> reasons;
  for (const tree_leaf& l : c.transfer.leaves) reasons.push_back(l.reason);
  std::sort(reasons.begin(), reasons.end());
  BOOST_TEST(reasons == (std::vector<std::string>{"to +14165550000, +14165550001", "transfer after hours",
                                                  "transfer refused"}),
             boost::test_tools::per_element());
  for (const tree_node& n : c.nodes) BOOST_TEST((c.predicates.at(n.predicate).type != predicate::kind::transfer_to));
  bool tests_target = false;
  for (const tree_node& n : c.transfer.nodes) {
    const predicate& p = c.predicates.at(n.predicate);
    if (p.type == predicate::kind::transfer_to) {
      tests_target = true;
      BOOST_TEST(p.callers == (std::vector<std::string>{"+14165550000", "+14165550001"}), boost::test_tools::per_element());
    }
  }
  BOOST_TEST(tests_target);
  BOOST_TEST(!compile_text(clinic(base)).output.set.clinics.at(0).transfer.configured);
}
