// The whole request path of `callpolicy serve` in one process, counting
// heap allocations (bench/RESULTS.md): signed, full-size Twilio voice
// webhooks, each with its own CallSid, sent with keep-alive over one
// socketpair to the server's real HTTP session (Beast parser, framing
// checks, form decoding, signature, identification, decision, TwiML, call
// registry, log line, and with the journal on its line, its writer thread
// and the hop back). Every malloc, calloc, realloc and aligned allocation
// is counted, whoever makes it (operator new, OpenSSL, libstdc++), on every
// thread but the client's, once the warm-up is over.
//
// Usage: request_path_bench [RULES_DIR] [REQUESTS]
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "runtime/identify.h"
#include "server/state/call_state.h"
#include "server/twilio/form.h"
#include "server/journal/journal.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/policy_store.h"
#include "server/server.h"
#include "server/twilio/signature.h"
#include "server/handlers.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};
thread_local bool uncounted_thread = false;  // the client's
}  // namespace

// ASan brings its own allocator, so a sanitized build of this benchmark
// counts nothing and says so.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool counts_allocations = false;
#else
constexpr bool counts_allocations = true;
void count_allocation() noexcept {
  if (counting.load(std::memory_order_relaxed) && !uncounted_thread) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
#include "tests/support/counted_malloc.h"
#endif

int main(int argc, char** argv) {
  using namespace callpolicy;
  const std::string rules = argc > 1 ? argv[1] : CALLPOLICY_EXAMPLES;
  const std::size_t count = argc > 2 ? std::stoul(argv[2]) : 60000;
  server::set_log_writer([](std::string_view line) {
    static FILE* sink = std::fopen("/dev/null", "w");
    std::fwrite(line.data(), 1, line.size(), sink);
  });
  server::server_options options;
  options.rules_path = rules;
  options.public_url = "http://127.0.0.1:8080";
  options.auth_tokens = {"bench-token-0123456789"};
  server::policy_store store(rules);
  if (!store.reload()) {
    std::fprintf(stderr, "cannot load %s\n", rules.c_str());
    return 1;
  }

  // Every number and SIP user of the set, for `To`; every 97th call is for
  // a number no clinic has.
  std::vector<std::string> targets;
  for (const runtime_clinic& c : store.current()->clinics()) {
    for (const auto& n : c.policy.ported) targets.push_back(n);
    for (const auto& n : c.policy.forwarded) targets.push_back(n);
    for (const auto& u : c.policy.sip_users) targets.push_back("sip:" + u + "@clinics.sip.twilio.com");
  }
  std::vector<std::string> requests;
  requests.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string to = i % 97 == 0 ? fmt::format("+1999555{:04}", i % 10000) : targets[i % targets.size()];
    const bool sip = to.starts_with("sip:");
    const std::string path = sip ? "/twilio/sip" : "/twilio/voice";
    const std::string from = sip ? "sip:+14165550100@pbx.example.com" : "+14165550100";
    server::form_fields fields{{"AccountSid", "ACba8bc05eacf94afdae398e642c9cc32d"},
                               {"ApiVersion", "2010-04-01"},
                               {"CallSid", fmt::format("CA{:032x}", i)},
                               {"CallStatus", "ringing"},
                               {"Called", to},
                               {"CalledCountry", "CA"},
                               {"Caller", from},
                               {"CallerCity", "TORONTO"},
                               {"CallerCountry", "CA"},
                               {"CallerState", "ON"},
                               {"Direction", "inbound"},
                               {"From", from},
                               {"FromCity", "TORONTO"},
                               {"FromCountry", "CA"},
                               {"FromState", "ON"},
                               {"StirVerstat", "TN-Validation-Passed-A"},
                               {"To", to},
                               {"ToCountry", "CA"}};
    std::string body;
    for (const auto& [k, v] : fields) {
      if (!body.empty()) body += '&';
      body += k;
      body += "=";
      for (char c : v) {
        if (c == '+' || c == ':' || c == '@') {
          body += fmt::format("%{:02X}", c);
        } else {
          body += c;
        }
      }
    }
    const std::string signature = server::twilio_signature(options.auth_tokens[0], options.public_url + path, fields);
    requests.push_back(fmt::format("POST {} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                                   "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {}\r\n"
                                   "Content-Length: {}\r\n\r\n{}",
                                   path, signature, body.size(), body));
  }

  // One request in flight at a time, as one keep-alive connection from
  // Twilio; a fresh registry each run, so that every CallSid is new.
  const auto run = [&](const std::string& journal_path) {
    auto state = server::make_memory_state(std::chrono::seconds(3600));
    server::journal journal(journal_path);
    server::metrics stats;
    server::handlers hooks(options, store, *state, journal, stats);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return false;
    const std::size_t warm_up = count / 6;
    std::atomic<bool> ok{true};
    std::chrono::steady_clock::time_point measured_start;
    allocations = 0;
    std::thread client([&] {
      uncounted_thread = true;
      char buffer[8192];
      for (std::size_t i = 0; i < count; ++i) {
        if (i == warm_up) {
          measured_start = std::chrono::steady_clock::now();
          counting = true;
        }
        const std::string& r = requests[i];
        if (::write(pair[0], r.data(), r.size()) != static_cast<ssize_t>(r.size())) ok = false;
        // Read one response: headers then Content-Length bytes.
        std::string got;
        for (;;) {
          const ssize_t n = ::read(pair[0], buffer, sizeof buffer);
          if (n <= 0) {
            ok = false;
            break;
          }
          got.append(buffer, static_cast<std::size_t>(n));
          const auto head = got.find("\r\n\r\n");
          if (head == std::string::npos) continue;
          const auto cl = got.find("Content-Length: ");
          const std::size_t length = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
          if (got.size() >= head + 4 + length) break;
        }
        if (got.rfind("HTTP/1.1 200", 0) != 0) ok = false;
      }
      counting = false;
      ::shutdown(pair[0], SHUT_WR);
    });
    server::serve_one_connection(pair[1], options, hooks, journal, stats, false);
    client.join();
    const auto elapsed = std::chrono::steady_clock::now() - measured_start;
    ::close(pair[0]);
    const std::uint64_t measured = allocations.load();
    const std::size_t n = count - warm_up;
    std::printf("journal %s: %zu clinics, %zu requests measured after %zu of warm-up, every response 200: %s\n",
                journal_path.empty() ? "off" : "on", store.current()->clinics().size(), n, warm_up,
                ok ? "yes" : "NO");
    if (counts_allocations) {
      std::printf("  heap allocations, every thread but the client's: %.2f per request (%llu in all)\n",
                  static_cast<double>(measured) / static_cast<double>(n), static_cast<unsigned long long>(measured));
    } else {
      std::printf("  heap allocations: not counted in a sanitized build\n");
    }
    std::printf("  round trip, one connection, client and server on separate threads: %.2f us per request\n",
                std::chrono::duration<double, std::micro>(elapsed).count() / static_cast<double>(n));
    return ok.load();
  };
  const std::filesystem::path journal_file =
      std::filesystem::temp_directory_path() / fmt::format("request_path_bench.{}.jsonl", ::getpid());
  const bool ok = run("") && run(journal_file.string());
  std::error_code ignored;
  std::filesystem::remove(journal_file, ignored);
  return ok ? 0 : 1;
}
