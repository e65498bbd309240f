#include "compiler/compiler.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "compiler/builtin_calendars.h"
#include "compiler/canonical.h"
#include "compiler/diagnostic_messages.h"
#include "compiler/clinic_compiler.h"
#include "compiler/lints.h"
#include "compiler/parser.h"
#include "model/phone_numbers.h"
#include "compiler/tree_builder.h"
#include "model/zones.h"

namespace callpolicy {
namespace {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}



day_number today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<day_number>(now.time_since_epoch().count());
}

// What a clinic with a syntax error may still report: errors in the values
// that did parse. What it lacks may be the item that failed, so "missing"
// errors are not made, and its warnings would describe a policy that is not
// the one written.
bool reported_despite_syntax_errors(const diagnostic& d) {
  static constexpr std::string_view follow_from_a_missing_item[] = {
      codes::missing_time_zone,          codes::missing_otherwise,         codes::otherwise_not_last,
      codes::action_not_configured,      codes::overflow_without_threshold, codes::scheduled_without_schedule,
      codes::mode_and_route};
  if (d.level != severity::error) return false;
  return std::find(std::begin(follow_from_a_missing_item), std::end(follow_from_a_missing_item), d.code) ==
         std::end(follow_from_a_missing_item);
}

void check_tests(const std::vector<ast::policy_file>& files,
                 const std::map<std::string, const ast::clinic*>& clinics, diagnostic_sink& sink) {
  // A clinic lost to a syntax error makes tests that name it look wrong.
  const bool items_lost = std::any_of(files.begin(), files.end(), [](const auto& f) { return f.lost_items; });
  for (const ast::policy_file& file : files) {
    for (const ast::test_case& t : file.tests) {
      const std::string id = test_clinic_id(t, file, files);
      if (items_lost && (id.empty() || !clinics.count(id))) continue;
      if (t.incomplete && (!t.at || !t.expect)) continue;
      if (id.empty()) {
        report<messages::test_clinic_not_inferred>(sink, t.where, t.name, clinics.size());
        continue;
      }
      const auto it = clinics.find(id);
      if (it == clinics.end()) {
        report<messages::test_names_unknown_clinic>(sink, t.clinic ? t.clinic->where : t.where, t.name, id);
        continue;
      }
      const ast::clinic* clinic = it->second;
      if (!t.at || !t.expect) {
        if (!t.at && !t.expect) {
          report<messages::test_needs_at_and_expect>(sink, t.where, t.name);
        } else if (!t.at) {
          report<messages::test_needs_at>(sink, t.where, t.name);
        } else {
          report<messages::test_needs_expect>(sink, t.where, t.name);
        }
        continue;
      }
      // A test's caller and transfer target are phone numbers, read in the clinic's region.
      for (const auto& [number, what] : {std::pair{&t.caller, "caller"}, std::pair{&t.transfer, "transfer"}}) {
        if (!*number || to_e164((*number)->value, clinic_region(*clinic))) continue;
        const std::string region = clinic_region(*clinic);
        if (region.empty()) {
          report<messages::not_a_phone_number>(sink, (*number)->where, what, (*number)->value);
        } else {
          report<messages::not_a_phone_number_in_region>(sink, (*number)->where, what, (*number)->value, region);
        }
      }
      if (t.at->value.offset_minutes || !clinic->timezone) continue;
      const cctz::time_zone* zone = find_zone(clinic->timezone->value);
      if (!zone) continue;
      const std::int64_t local = std::int64_t{t.at->value.date} * 86400 + t.at->value.seconds;
      const local_resolution r = resolve_local_time(zone, local);
      if (r.type == local_resolution::kind::nonexistent) {
        report<messages::local_time_in_gap>(sink, t.at->where, clinic->timezone->value);
      } else if (r.type == local_resolution::kind::ambiguous) {
        report<messages::local_time_repeated>(sink, t.at->where, clinic->timezone->value);
      }
    }
  }
}

}  // namespace

std::string test_clinic_id(const ast::test_case& test, const ast::policy_file& file,
                           const std::vector<ast::policy_file>& set) {
  if (test.clinic) return test.clinic->value;
  if (file.clinics.size() == 1) return file.clinics.front().id;
  const ast::clinic* only = nullptr;
  for (const ast::policy_file& f : set) {
    for (const ast::clinic& c : f.clinics) {
      if (only) return {};
      only = &c;
    }
  }
  return only ? only->id : std::string();
}


compile_output compile_sources(const source_set& sources, const compile_options& options,
                               diagnostic_sink& sink) {
  compile_output out;
  compile_options effective = options;
  if (effective.today == 0) effective.today = today_utc();
  out.set.compiler_version = std::string(compiler_version);
  for (const source_file& f : sources.files) {
    out.files.push_back(parse_policy(f.path, f.text, sink));
    out.set.sources.push_back({f.path, sha256_hex(f.text)});
  }

  // Calendars of the whole set.
  std::map<std::string, const ast::calendar*> calendars;
  for (const ast::policy_file& file : out.files) {
    for (const ast::calendar& c : file.calendars) {
      const auto [it, inserted] = calendars.emplace(c.name, &c);
      if (!inserted) {
        report<messages::calendar_defined_twice>(sink, c.where, c.name, where_text(it->second->where));
      }
    }
  }
  // The built-in calendars beside the set's own; one of the set's with a
  // built-in name would silently change what `use ca-bc` means elsewhere.
  const std::map<std::string, const ast::calendar*> own_calendars = calendars;
  for (const builtin_calendar& b : builtin_calendars()) {
    const auto [it, inserted] = calendars.emplace(std::string(b.name), b.source);
    if (!inserted) {
      report<messages::calendar_named_as_built_in>(sink, it->second->where, it->first, where_text(b.source->where));
    }
  }
  calendar_resolver resolver(calendars, sink);
  resolver.calendars_lost =
      std::any_of(out.files.begin(), out.files.end(), [](const ast::policy_file& f) { return f.lost_items; });
  for (const auto& [name, calendar] : own_calendars) {
    out.set.calendars.push_back({name, resolver.resolve(name, calendar->where)});
  }

  // Clinics, their ids, numbers and SIP users across the set.
  std::map<std::string, const ast::clinic*> clinics;
  std::map<std::string, location> numbers;
  std::map<std::string, location> sip_users;
  // Where `value` was claimed before, or null when this is its first claim.
  auto claimed_before = [](std::map<std::string, location>& claimed,
                           const ast::located<std::string>& value) -> const location* {
    const auto [it, inserted] = claimed.emplace(value.value, value.where);
    return inserted ? nullptr : &it->second;
  };
  for (const ast::policy_file& file : out.files) {
    for (const ast::clinic& c : file.clinics) {
      const auto [it, inserted] = clinics.emplace(c.id, &c);
      if (!inserted) {
        report<messages::clinic_defined_twice>(sink, c.where, c.id, where_text(it->second->where));
        continue;
      }
      if (!c.numbers) continue;
      for (const auto* list : {&c.numbers->ported, &c.numbers->forwarded}) {
        for (const auto& n : *list) {
          if (const location* first = claimed_before(numbers, n))
            report<messages::number_claimed_twice>(sink, n.where, n.value, where_text(*first));
        }
      }
      for (const auto& u : c.numbers->sip) {
        if (const location* first = claimed_before(sip_users, u))
          report<messages::sip_user_claimed_twice>(sink, u.where, u.value, where_text(*first));
      }
    }
  }
  // An empty file is refused rather than read as "this file's clinic is
  // gone": a truncation, a zero-length write on a full disk and an editor's
  // save caught mid-write all look like it (docs/operations.md, "Hot reload").
  for (const ast::policy_file& file : out.files) {
    if (file.clinics.empty() && file.calendars.empty() && file.tests.empty() && !file.lost_items) {
      report<messages::file_declares_nothing>(sink, {file.path, 1, 1});
    }
  }
  const bool lost = std::any_of(out.files.begin(), out.files.end(), [](const ast::policy_file& f) { return f.lost_items; });
  if (options.require_clinic && clinics.empty() && !lost) {
    const std::string where = !options.set_name.empty() ? options.set_name
                              : sources.files.empty()   ? std::string("<set>")
                                                        : sources.files.front().path;
    if (sources.files.empty()) {
      report<messages::set_without_files>(sink, {where, 1, 1});
    } else {
      report<messages::set_without_clinics>(sink, {where, 1, 1});
    }
  }
  for (const auto& [id, source] : clinics) {
    if (source->incomplete) {
      diagnostic_sink own;
      compile_clinic(*source, resolver, own);
      for (const diagnostic& d : own.all()) {
        if (reported_despite_syntax_errors(d)) sink.report(d);
      }
      continue;
    }
    if (auto compiled = compile_clinic(*source, resolver, sink)) {
      if (effective.lints) run_lints(*source, *compiled, effective, sink);
      out.set.clinics.push_back(std::move(*compiled));
    }
  }
  // The built-in calendars the set uses go with it, as its own do.
  for (const auto& [name, rules] : resolver.resolved()) {
    if (!own_calendars.count(name) && find_builtin_calendar(name)) out.set.calendars.push_back({name, rules});
  }
  std::sort(out.set.calendars.begin(), out.set.calendars.end(),
            [](const compiled_calendar& a, const compiled_calendar& b) { return a.name < b.name; });
  check_tests(out.files, clinics, sink);
  sink.sort();
  return out;
}

}  // namespace callpolicy
