#include "compiler/diagnostic_render.h"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace callpolicy {
namespace {

std::string_view severity_name(severity s) { return s == severity::error ? "error" : "warning"; }

std::string_view line_of(const source_texts& sources, const location& where) {
  const auto it = sources.find(where.file);
  if (it == sources.end() || where.line == 0) return {};
  std::string_view text = it->second;
  for (std::uint32_t line = 1; line < where.line; ++line) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) return {};
    text.remove_prefix(newline + 1);
  }
  return text.substr(0, text.find('\n'));
}

}  // namespace

std::string render_text(const std::vector<diagnostic>& diagnostics, const source_texts& sources,
                        bool colour) {
  const std::string bold = colour ? "\x1b[1m" : "";
  const std::string red = colour ? "\x1b[1;31m" : "";
  const std::string magenta = colour ? "\x1b[1;35m" : "";
  const std::string green = colour ? "\x1b[1;32m" : "";
  const std::string reset = colour ? "\x1b[0m" : "";
  std::string out;
  for (const diagnostic& d : diagnostics) {
    out += fmt::format("{}{}:{}:{}:{} {}{}[{}]:{} {}\n", bold, d.where.file, d.where.line,
                       d.where.column, reset, d.level == severity::error ? red : magenta,
                       severity_name(d.level), d.code, reset, d.message);
    std::string_view line = line_of(sources, d.where);
    if (!line.empty()) {
      // A long line is shown around the caret only, so that one diagnostic
      // of a generated policy never prints a megabyte.
      constexpr std::size_t shown = 160;
      std::size_t caret = d.where.column > 0 ? d.where.column - 1 : 0;
      std::string before;
      std::string after;
      if (line.size() > shown) {
        const std::size_t from = caret > shown / 2 ? std::min(caret - shown / 2, line.size() - shown) : 0;
        if (from > 0) before = "...";
        if (from + shown < line.size()) after = "...";
        line = line.substr(from, shown);
        caret = caret - from + before.size();
      }
      out += fmt::format("  {}{}{}\n", before, line, after);
      // Tabs stay tabs so that the caret lines up under them.
      std::string pad(before.size(), ' ');
      for (std::size_t i = 0; i + before.size() < caret && i < line.size(); ++i) {
        pad += line[i] == '\t' ? '\t' : ' ';
      }
      out += fmt::format("  {}{}^{}\n", pad, green, reset);
    }
    for (const std::string& note : d.notes) out += fmt::format("  note: {}\n", note);
  }
  return out;
}

std::string render_json(const std::vector<diagnostic>& diagnostics) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::size_t errors = 0;
  for (const diagnostic& d : diagnostics) {
    errors += d.level == severity::error ? 1 : 0;
    list.push_back({{"code", d.code},
                   {"severity", severity_name(d.level)},
                   {"file", d.where.file},
                   {"line", d.where.line},
                   {"column", d.where.column},
                   {"message", d.message},
                   {"notes", d.notes}});
  }
  // The shape is docs/tooling.md's; "version" rises when a key is removed or
  // changes meaning, never for one added.
  const nlohmann::ordered_json out{{"version", 1},
                                   {"errors", errors},
                                   {"warnings", diagnostics.size() - errors},
                                   {"diagnostics", list}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_sarif(const std::vector<diagnostic>& diagnostics) {
  using json = nlohmann::ordered_json;
  std::set<std::string> codes_used;
  for (const diagnostic& d : diagnostics) codes_used.insert(d.code);
  json rules = json::array();
  for (const std::string& code : codes_used) {
    rules.push_back({{"id", code}, {"shortDescription", {{"text", "callpolicy " + code}}}});
  }
  json results = json::array();
  for (const diagnostic& d : diagnostics) {
    std::string text = d.message;
    for (const std::string& note : d.notes) text += "\n" + note;
    json region{{"startLine", std::max<std::uint32_t>(d.where.line, 1)},
                {"startColumn", std::max<std::uint32_t>(d.where.column, 1)}};
    results.push_back(
        {{"ruleId", d.code},
         {"level", severity_name(d.level)},
         {"message", {{"text", text}}},
         {"locations",
          json::array({{{"physicalLocation",
                         {{"artifactLocation", {{"uri", d.where.file}}}, {"region", region}}}}})}});
  }
  json sarif{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array({{{"tool",
                      {{"driver",
                        {{"name", "callpolicy"},
                         {"version", "0.1.0"},
                         {"rules", rules}}}}},
                     {"results", results}}})}};
  return sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {
// GitHub workflow commands escape %, CR and LF in messages, and also : and ,
// in properties.
std::string github_escape(std::string_view text, bool property) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace

std::string render_github(const std::vector<diagnostic>& diagnostics) {
  std::string out;
  for (const diagnostic& d : diagnostics) {
    out += fmt::format("::{} file={},line={},col={},title={}::{}\n", severity_name(d.level),
                       github_escape(d.where.file, true), d.where.line, d.where.column,
                       github_escape(d.code, true), github_escape(d.message, false));
  }
  return out;
}

}  // namespace callpolicy
