// Runs a command to completion for end-to-end tests: argv (no shell), an
// optional standard input and working directory; captures both streams.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace callpolicy::testing {

struct process_result {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

process_result run_process(const std::vector<std::string>& argv, std::string_view input = {},
                           const std::string& working_directory = {});

// The built `callpolicy` with arguments.
process_result run_callpolicy(const std::vector<std::string>& args, std::string_view input = {});

// A fresh directory under the system temp dir, removed when destroyed.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, std::string_view content) const;  // returns the path

 private:
  std::string path_;
};

std::string read_text(const std::string& path);

}  // namespace callpolicy::testing
