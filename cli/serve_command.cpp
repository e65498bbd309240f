#include <algorithm>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/durations.h"
#include "server/server.h"

namespace callpolicy::cli {
namespace {

// "50ms", "2s": the state store's timeout, 1 ms to 10 s.
std::optional<std::chrono::milliseconds> parse_milliseconds(const std::string& text) {
  if (text.find_first_not_of("0123456789") == std::string::npos) return std::nullopt;  // a unit is needed
  return parse_span(text, {"ms", "s"}, std::chrono::seconds(10));
}

// "1048576", "512K", "64M", "1G" (powers of 1024); "0" is allowed.
std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t used = 0;
  unsigned long long amount = 0;
  try {
    amount = std::stoull(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string unit = text.substr(used);
  const unsigned shift = unit.empty() ? 0 : unit == "K" ? 10 : unit == "M" ? 20 : unit == "G" ? 30 : 64;
  if (shift == 64 || text.front() == '-' || amount > (~0ull >> shift)) return std::nullopt;
  return amount << shift;
}

std::vector<std::string> read_tokens(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line.front() != '#') tokens.push_back(line);
  }
  return tokens;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("serve", "answer Twilio voice webhooks with TwiML");
  struct options {
    server::server_options server;
    std::string token_file;
    std::string admin_token_file;
    std::string notify_secret_file;
    std::string call_ttl = "1h";
    std::string read_timeout = "10s";
    std::string journal = "callpolicy-journal.jsonl";
    std::string journal_max_size = "256M";
    std::string state_timeout = "50ms";
  };
  auto opts = std::make_shared<options>();
  command->add_option("--rules", opts->server.rules_path, "a rules directory or a bundle (.json)")->required();
  command->add_option("--listen", opts->server.listen, "HOST:PORT (default 127.0.0.1:8080)");
  command->add_flag("--allow-empty", opts->server.allow_empty,
                    "serve a set without clinics (every call hears 'not in service'; /readyz stays not ready)");
  command->add_option("--admin-listen", opts->server.admin_listen,
                      "HOST:PORT for /status, /metrics and /admin/ (default 127.0.0.1:9090; '' for none)");
  command->add_option("--admin-host", opts->server.admin_hosts,
                      "a host name the admin address also answers to (behind a proxy or a DNS name; repeatable)");
  command->add_option("--admin-token-file", opts->admin_token_file,
                      "bearer token for /admin/ writes (without it, admin writes are off)");
  command->add_option("--notify-url", opts->server.notify_url,
                      "where each voicemail and callback request is POSTed, signed (http:// or https://)");
  command->add_option("--notify-secret-file", opts->notify_secret_file,
                      "the secret that signs deliveries (its first line); required with --notify-url");
  command->add_option("--public-url", opts->server.public_url, "the URL Twilio calls, for signatures and callbacks");
  command->add_option("--auth-token-file", opts->token_file,
                      "Twilio auth token(s), one per line (two during rotation)");
  command->add_option("--journal", opts->journal, "the journal file ('' for none)");
  command->add_option("--journal-max-size", opts->journal_max_size,
                      "rotate the journal past this size, like 64M or 1G (default 256M; 0: never)");
  command->add_option("--state", opts->server.state,
                      "memory, redis://HOST:PORT or redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER-NAME");
  command->add_option("--state-prefix", opts->server.state_prefix, "the shared store's key prefix (default callpolicy:)");
  command->add_option("--state-timeout", opts->state_timeout,
                      "how long a call waits for the shared store's count before deciding with this server's own "
                      "(default 50ms)");
  command->add_option("--call-ttl", opts->call_ttl, "how long a call counts without a final status");
  auto* ai_sip = command->add_option("--ai-sip", opts->server.ai_sip, "default AI SIP URI");
  command->add_option("--ai-url", opts->server.ai_url, "default AI redirect URL")->excludes(ai_sip);
  command->add_option("--ai-capacity", opts->server.ai_capacity,
                      "live AI legs at most across every server sharing --state (default 0: unlimited)");
  command->add_option("--read-timeout", opts->read_timeout,
                      "deadline for a request to arrive, and for a response to be taken (default 10s)");
  command->add_option("--threads", opts->server.threads, "worker threads (default: cores)");
  command->add_option("--max-connections", opts->server.max_connections, "open connections at most");
  command->add_option("--max-connections-per-address", opts->server.max_connections_per_address,
                      "open connections at most from one client address (default 256)");
  command->add_flag("--insecure-skip-signature", opts->server.skip_signature,
                    "accept requests without a valid X-Twilio-Signature (development only)");
  command->callback([opts, &exit_code] {
    const auto usage_error = [&exit_code](const std::string& message) {
      std::fprintf(stderr, "callpolicy serve: %s\n", message.c_str());
      exit_code = exit_usage;
    };
    const auto ttl = parse_duration(opts->call_ttl);
    if (!ttl) return usage_error("--call-ttl '" + opts->call_ttl + "' is not a duration like 1h (at most a year)");
    opts->server.call_ttl = *ttl;
    const auto read_timeout = parse_duration(opts->read_timeout);
    if (!read_timeout) return usage_error("--read-timeout '" + opts->read_timeout + "' is not a duration like 10s");
    opts->server.read_timeout = *read_timeout;
    const auto state_timeout = parse_milliseconds(opts->state_timeout);
    if (!state_timeout) {
      return usage_error("--state-timeout '" + opts->state_timeout + "' is not a duration like 50ms (1ms to 10s)");
    }
    opts->server.state_timeout = *state_timeout;
    opts->server.journal_path = opts->journal;
    const auto journal_max = parse_size(opts->journal_max_size);
    if (!journal_max) {
      return usage_error("--journal-max-size '" + opts->journal_max_size + "' is not a size like 256M");
    }
    opts->server.journal_max_bytes = *journal_max;
    if (!opts->token_file.empty()) {
      opts->server.auth_tokens = read_tokens(opts->token_file);
      if (opts->server.auth_tokens.empty()) {
        std::fprintf(stderr, "callpolicy serve: no token in '%s'\n", opts->token_file.c_str());
        exit_code = exit_usage;
        return;
      }
    } else if (const char* token = std::getenv("TWILIO_AUTH_TOKEN"); token && *token) {
      opts->server.auth_tokens.emplace_back(token);
    }
    if (!opts->admin_token_file.empty()) {
      const auto admin_tokens = read_tokens(opts->admin_token_file);
      if (admin_tokens.size() != 1) {
        std::fprintf(stderr, "callpolicy serve: '%s' must hold exactly one admin token\n",
                     opts->admin_token_file.c_str());
        exit_code = exit_usage;
        return;
      }
      opts->server.admin_token = admin_tokens.front();
    }
    if (!opts->server.notify_url.empty() || !opts->notify_secret_file.empty()) {
      const std::string& url = opts->server.notify_url;
      if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
        std::fprintf(stderr, "callpolicy serve: --notify-url '%s' must be an http:// or https:// URL\n", url.c_str());
        exit_code = exit_usage;
        return;
      }
      const auto secrets = opts->notify_secret_file.empty() ? std::vector<std::string>{}
                                                            : read_tokens(opts->notify_secret_file);
      if (secrets.empty()) {
        std::fputs("callpolicy serve: delivery needs --notify-secret-file with the signing secret on its first "
                   "line\n",
                   stderr);
        exit_code = exit_usage;
        return;
      }
      opts->server.notify_secret = secrets.front();
    }
    if (opts->server.auth_tokens.empty() && !opts->server.skip_signature) {
      std::fputs("callpolicy serve: no Twilio auth token: give --auth-token-file or TWILIO_AUTH_TOKEN "
                 "(or --insecure-skip-signature for development)\n",
                 stderr);
      exit_code = exit_usage;
      return;
    }
    exit_code = server::run_server(opts->server);
  });
}

}  // namespace callpolicy::cli
