// `help COMMAND`, `completion bash|zsh|fish` and `man`: all three read the
// same command tree the parser uses, so the help, the completions and the
// man page never disagree with what the binary accepts.
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "model/edit_distance.h"

namespace callpolicy::cli {
namespace {

std::vector<const CLI::App*> commands_of(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) out.push_back(sub);
  return out;
}

std::vector<std::string> long_flags(const CLI::App& command) {
  std::vector<std::string> out;
  for (const CLI::Option* o : command.get_options()) {
    for (const std::string& name : o->get_lnames()) out.push_back("--" + name);
    for (const std::string& name : o->get_snames()) out.push_back("-" + name);
  }
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string bash_completion(const CLI::App& app) {
  std::string names;
  std::string cases;
  for (const CLI::App* c : commands_of(app)) {
    names += (names.empty() ? "" : " ") + c->get_name();
    cases += fmt::format("    {}) opts=\"{}\" ;;\n", c->get_name(), joined(long_flags(*c)));
  }
  return fmt::format(R"SH(# bash completion for callpolicy: eval "$(callpolicy completion bash)"
_callpolicy() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "{}" -- "$cur"))
    return
  fi
  local opts=""
  case "${{COMP_WORDS[1]}}" in
{}  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _callpolicy callpolicy
)SH",
                     names, cases);
}

std::string zsh_completion(const CLI::App& app) {
  std::string commands;
  std::string cases;
  for (const CLI::App* c : commands_of(app)) {
    std::string description = c->get_description();
    for (char& ch : description) {
      if (ch == '\'' || ch == ':') ch = ' ';
    }
    commands += fmt::format("    '{}:{}'\n", c->get_name(), description);
    cases += fmt::format("    {}) _arguments '*:file:_files' {} ;;\n", c->get_name(),
                         [&] {
                           std::string out;
                           for (const std::string& f : long_flags(*c)) out += "'" + f + "' ";
                           return out;
                         }());
  }
  return fmt::format(R"SH(#compdef callpolicy
# zsh completion for callpolicy: callpolicy completion zsh > "${{fpath[1]}}/_callpolicy"
_callpolicy() {{
  local -a commands
  commands=(
{}  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
{}  esac
}}
compdef _callpolicy callpolicy
)SH",
                     commands, cases);
}

std::string fish_completion(const CLI::App& app) {
  std::string out = "# fish completion for callpolicy: callpolicy completion fish | source\n";
  for (const CLI::App* c : commands_of(app)) {
    std::string description = c->get_description();
    for (char& ch : description) {
      if (ch == '\'') ch = ' ';
    }
    out += fmt::format("complete -c callpolicy -n __fish_use_subcommand -a {} -d '{}'\n", c->get_name(), description);
    for (const CLI::Option* o : c->get_options()) {
      for (const std::string& name : o->get_lnames()) {
        out += fmt::format("complete -c callpolicy -n '__fish_seen_subcommand_from {}' -l {}\n", c->get_name(), name);
      }
    }
  }
  return out;
}

// roff escapes: a backslash, and a line starting with '.' or '\''.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (line_start && (c == '.' || c == '\'')) {
      out += "\\&";
      out += c;
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string man_page(const CLI::App& app) {
  std::string out = ".TH CALLPOLICY 1 \"\" \"callpolicy 0.1.0\" \"User Commands\"\n";
  std::string description = app.get_description();
  if (description.starts_with("callpolicy: ")) description.erase(0, 12);
  out += ".SH NAME\ncallpolicy \\- " + roff(description) + "\n";
  out += ".SH SYNOPSIS\n.B callpolicy\n.I COMMAND\n[\\fIOPTIONS\\fR] [\\fIPATH\\fR...]\n";
  out += ".SH DESCRIPTION\nEvery command that reads policies takes files and directories (recursively, "
         "\\fB*.policy\\fR) and treats them as one set; \\fB\\-\\fR reads standard input.\n";
  out += ".SH COMMANDS\n";
  for (const CLI::App* c : commands_of(app)) {
    out += ".SS " + roff(c->get_name()) + "\n" + roff(c->get_description()) + "\n";
    for (const CLI::Option* o : c->get_options()) {
      if (o->get_name() == "--help") continue;
      out += ".TP\n.B " + roff(o->get_name(false, true)) + "\n" + roff(o->get_description()) + "\n";
    }
  }
  out += ".SH EXIT STATUS\n0 success; 1 policy errors or failed tests; 2 usage or I/O errors.\n";
  out += ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nno colour in diagnostics.\n.TP\n.B TWILIO_AUTH_TOKEN\n"
         "the auth token of \\fBserve\\fR when no \\-\\-auth\\-token\\-file is given.\n";
  out += ".SH SEE ALSO\ndocs/language.md, docs/operations.md and docs/tooling.md in the source tree.\n";
  return out;
}

}  // namespace

std::optional<std::string> unknown_command_message(const CLI::App& app, std::string_view word) {
  if (word.empty() || word.front() == '-') return std::nullopt;
  std::string best;
  std::size_t best_distance = 3;  // further than two edits is no typo
  for (const CLI::App* c : commands_of(app)) {
    if (c->check_name(std::string(word))) return std::nullopt;
    const std::size_t d = edit_distance(word, c->get_name());
    if (d < best_distance) {
      best_distance = d;
      best = c->get_name();
    }
  }
  std::string message = fmt::format("callpolicy: unknown command '{}'", word);
  if (!best.empty()) message += fmt::format(", did you mean '{}'?", best);
  return message + "\n(callpolicy --help lists the commands)\n";
}

std::optional<std::string> unknown_option_message(CLI::App& app, int argc, const char* const* argv) {
  CLI::App* command = &app;
  std::string path = "callpolicy";
  int i = 1;
  for (; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with("-")) break;
    CLI::App* next = nullptr;
    for (CLI::App* c : command->get_subcommands([](CLI::App*) { return true; })) {
      if (c->check_name(word)) next = c;
    }
    if (!next) break;
    command = next;
    path += " " + word;
  }
  if (command == &app) return std::nullopt;
  for (; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") break;
    if (!word.starts_with("--") || word.size() == 2) continue;
    const std::string_view name = word.substr(2, word.find('=') == std::string_view::npos ? word.npos : word.find('=') - 2);
    std::vector<std::string> known{"help"};
    bool found = name == "help";
    for (const CLI::App* scope : {static_cast<const CLI::App*>(command), static_cast<const CLI::App*>(&app)}) {
      for (const CLI::Option* o : scope->get_options()) {
        for (const std::string& long_name : o->get_lnames()) {
          known.push_back(long_name);
          found = found || long_name == name;
        }
      }
    }
    if (found) continue;
    const std::string_view meant = closest_word(name, known);
    return fmt::format("{}: unknown option '--{}'{}\n({} --help lists its options)\n", path, name,
                       meant.empty() ? std::string() : fmt::format(", did you mean '--{}'?", meant), path);
  }
  return std::nullopt;
}

void add_help_commands(CLI::App& app, int& exit_code) {
  auto* help = app.add_subcommand("help", "help for one command");
  auto command = std::make_shared<std::string>();
  help->add_option("command", *command, "the command");
  help->callback([&app, command, &exit_code] {
    if (command->empty()) {
      std::fputs(app.help().c_str(), stdout);
      exit_code = exit_ok;
      return;
    }
    for (const CLI::App* c : commands_of(app)) {
      if (c->get_name() != *command) continue;
      std::fputs(c->help().c_str(), stdout);
      exit_code = exit_ok;
      return;
    }
    std::fputs(unknown_command_message(app, *command).value_or("callpolicy: unknown command\n").c_str(), stderr);
    exit_code = exit_usage;
  });

  auto* completion = app.add_subcommand("completion", "a shell completion script: bash, zsh or fish");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&app, shell, &exit_code] {
    const std::string script = *shell == "bash" ? bash_completion(app) : *shell == "zsh" ? zsh_completion(app)
                                                                                          : fish_completion(app);
    std::fputs(script.c_str(), stdout);
    exit_code = exit_ok;
  });

  auto* man = app.add_subcommand("man", "the manual page (roff), from the same text as --help");
  man->callback([&app, &exit_code] {
    std::fputs(man_page(app).c_str(), stdout);
    exit_code = exit_ok;
  });
}

}  // namespace callpolicy::cli
