// Decisions per second and allocations per decision, for the evaluator alone
// (zone conversion + tree walk + table lookups) over the example clinics
// replicated to N clinics. Usage: evaluator_bench [CLINICS] [DECISIONS] [PATH]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "compiler/compiler.h"
#include "runtime/evaluator.h"
#include "runtime/twiml.h"

namespace {
std::size_t allocations = 0;
}

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

int main(int argc, char** argv) {
  using namespace callpolicy;
  const int clinics = argc > 1 ? std::atoi(argv[1]) : 1000;
  const long decisions = argc > 2 ? std::atol(argv[2]) : 5'000'000;
  const std::string path = argc > 3 ? argv[3] : CALLPOLICY_EXAMPLES;
  diagnostic_sink sink;
  compile_output compiled = compile_sources(read_sources({path}), {}, sink);
  if (sink.has_errors()) {
    std::fprintf(stderr, "the policies have errors\n");
    return 1;
  }
  compiled_set set;
  for (int i = 0; set.clinics.size() < static_cast<std::size_t>(clinics); ++i) {
    compiled_clinic c = compiled.set.clinics[static_cast<std::size_t>(i) % compiled.set.clinics.size()];
    c.id += "-" + std::to_string(i);
    c.ported.clear();
    c.forwarded.clear();
    c.sip_users.clear();
    set.clinics.push_back(std::move(c));
  }
  const auto loaded = policy_set::load(std::move(set)).set;
  const auto all = loaded->clinics();
  // Instants spread over two years, calls over 0..7, every via.
  const auto base = std::chrono::sys_seconds{std::chrono::seconds{1'767'225'600}};  // 2026-01-01
  std::uint64_t checksum = 0;
  const std::size_t before = allocations;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < decisions; ++i) {
    const runtime_clinic& c = all[static_cast<std::size_t>(i) % all.size()];
    const call_context call{base + std::chrono::seconds{(i * 7919) % (2 * 365 * 86400)},
                            static_cast<std::int32_t>(i % 8), "+14165550100",
                            static_cast<via_kind>(i % 3)};
    const decision d = decide(c, call);
    checksum += static_cast<std::uint64_t>(d.action) + d.reason.size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const std::size_t decide_allocations = allocations - before;
  // TwiML into a reused buffer, as the server does.
  std::string buffer;
  buffer.reserve(1024);
  const std::size_t before_twiml = allocations;
  const auto twiml_start = std::chrono::steady_clock::now();
  const long twiml_count = decisions / 10;
  for (long i = 0; i < twiml_count; ++i) {
    const runtime_clinic& c = all[static_cast<std::size_t>(i) % all.size()];
    // The same two years as the decisions: past the zone files' last
    // transition every lookup extrapolates, as no real call does.
    const std::chrono::sys_seconds at = base + std::chrono::seconds{(i * 7919) % (2 * 365 * 86400)};
    const decision d = decide(c, {at, 0, {}, via_kind::ported});
    // The AI's facts are of the call's own instant, as the server gives them.
    write_twiml(buffer, c, d, {via_kind::ported, true, false, at, "+14165550100", "CA0123456789abcdef0123456789abcdef"},
                {});
    checksum += buffer.size();
  }
  const auto twiml_elapsed = std::chrono::steady_clock::now() - twiml_start;
  const double ns = std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(decisions);
  const double twiml_ns =
      std::chrono::duration<double, std::nano>(twiml_elapsed).count() / static_cast<double>(twiml_count);
  std::printf("clinics %zu, decisions %ld\n", all.size(), decisions);
  std::printf("decide:         %.1f ns/decision, %.2f M decisions/s, %zu allocations in total\n", ns,
              1e3 / ns, decide_allocations);
  std::printf("decide + TwiML: %.1f ns/call, %zu allocations in %ld calls\n", twiml_ns,
              allocations - before_twiml, twiml_count);
  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(checksum));
  return 0;
}
