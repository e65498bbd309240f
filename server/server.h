// `callpolicy serve` (docs/operations.md): the HTTP runtime Twilio calls for every
// inbound call. Only plain types here; Beast stays in server/http/http_server.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace callpolicy::server {

struct server_options {
  std::string rules_path;
  std::string listen = "127.0.0.1:8080";
  // Status, metrics and /admin/ (docs/operations.md); empty: no admin listener.
  std::string admin_listen = "127.0.0.1:9090";
  std::string admin_token;               // empty: /admin/ writes are off
  std::vector<std::string> admin_hosts;  // names the admin address also answers to (--admin-host)
  std::string public_url;              // default: "http://" + listen
  std::vector<std::string> auth_tokens;  // one, or two during rotation
  bool skip_signature = false;
  bool allow_empty = false;  // a set without clinics may be served (and /readyz still says not ready)
  std::string journal_path = "callpolicy-journal.jsonl";  // empty: no journal
  std::uint64_t journal_max_bytes = 256ull << 20;        // rotate past this; 0: never
  std::string state = "memory";        // or redis://HOST:PORT, redis-sentinel://HOST:PORT,.../MASTER
  std::string state_prefix = "callpolicy:";  // the shared store's keys start with this
  std::chrono::milliseconds state_timeout{50};  // a call waits no longer for the shared store's count
  std::chrono::seconds call_ttl{3600};
  std::string ai_sip;
  std::string ai_url;
  // Live AI legs at most across every server sharing the state store; 0:
  // unlimited (docs/operations.md, "AI capacity").
  std::uint32_t ai_capacity = 0;
  unsigned threads = 0;                // 0: the number of cores
  unsigned max_connections = 1024;
  // One client address may not hold every slot; a proxy in front of the
  // server is one address, hence a quarter of the cap rather than a handful.
  unsigned max_connections_per_address = 256;
  // Where each voicemail and callback request is delivered, and the secret
  // that signs it (docs/operations.md, "Delivery"); empty: no delivery.
  std::string notify_url;
  std::string notify_secret;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{30};
};

class handlers;
class journal;
class metrics;

// Serves one connected stream socket (any stream: a socketpair will do)
// with the request path `run_server` uses, until the connection closes.
// For fuzzing the HTTP layer without a listener.
void serve_one_connection(int fd, const server_options& options, handlers& hooks, journal& log, metrics& stats,
                          bool admin);

// Runs until SIGINT or SIGTERM. Returns the process exit code; prints why on
// stderr when it cannot start.
int run_server(server_options options);

}  // namespace callpolicy::server
