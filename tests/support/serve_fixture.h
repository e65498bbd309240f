// What the end-to-end server suites share: the example clinics, a token, a
// fixture with a temporary directory and journal, and a voice webhook's fields.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/wait.h"

namespace callpolicy::testing {

inline const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";
inline const std::string token = "test-token-0123456789";

struct serve_fixture {
  temp_dir dir;
  std::string token_file = dir.write("token", token + "\n");
  std::string journal = dir.path() + "/journal.jsonl";

  // `serve` arguments for `rules` with this fixture's token and journal, on
  // two threads unless `extra` says otherwise.
  std::vector<std::string> args(const std::string& rules, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"--rules", rules, "--auth-token-file", token_file, "--journal", journal};
    if (std::find(extra.begin(), extra.end(), "--threads") == extra.end()) a.insert(a.end(), {"--threads", "2"});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

inline std::vector<std::pair<std::string, std::string>> call(const std::string& sid, const std::string& to,
                                                             const std::string& from = "+14165550100") {
  return {{"CallSid", sid}, {"To", to}, {"From", from}, {"CallStatus", "ringing"}};
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace callpolicy::testing
