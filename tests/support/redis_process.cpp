#include "tests/support/redis_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/server_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/wait.h"

namespace callpolicy::testing {
namespace {

bool pings(int port) {
  return run_process({"/usr/bin/redis-cli", "-p", std::to_string(port), "ping"}).out == "PONG\n";
}

void wait_until(const auto& ready, const char* what) {
  if (!eventually(ready, std::chrono::seconds(5), std::chrono::milliseconds(25)))
    throw std::runtime_error(std::string(what) + " did not start");
}

}  // namespace

redis_process::redis_process(int replica_of) : port_(free_port()), replica_of_(replica_of) {
  char pattern[] = "/tmp/callpolicy-redis-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("cannot make a directory for redis-server");
  dir_ = pattern;
  start();
}

void redis_process::start() {
  // A restart starts empty: no snapshot left by a replication to load.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) std::filesystem::remove_all(entry.path(), ec);
  pid_ = fork();
  if (pid_ == 0) {
    const std::string port = std::to_string(port_);
    if (replica_of_ != 0) {
      const std::string master = std::to_string(replica_of_);
      execl("/usr/bin/redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", "/dev/null", "--replicaof", "127.0.0.1", master.c_str(),
            static_cast<char*>(nullptr));
    } else {
      execl("/usr/bin/redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", "/dev/null", static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  wait_until([&] { return pings(port_); }, "redis-server");
}

redis_process::~redis_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_process::pause() { ::kill(pid_, SIGSTOP); }
void redis_process::resume() { ::kill(pid_, SIGCONT); }

void redis_process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void redis_process::restart() {
  kill_hard();
  start();
}

std::string redis_process::cli(const std::string& args) const {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-p", std::to_string(port_)};
  std::size_t start = 0;
  while (start < args.size()) {
    const auto space = args.find(' ', start);
    argv.push_back(args.substr(start, space - start));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return run_process(argv).out;
}

sentinel_process::sentinel_process(int master_port, const std::string& name) : port_(free_port()) {
  char pattern[] = "/tmp/callpolicy-sentinel-XXXXXX";
  dir_ = mkdtemp(pattern);
  const std::string config = dir_ + "/sentinel.conf";
  std::ofstream(config) << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_ << "\n"
                        << "sentinel monitor " << name << " 127.0.0.1 " << master_port << " 1\n"
                        << "sentinel down-after-milliseconds " << name << " 500\n"
                        << "sentinel failover-timeout " << name << " 5000\n"
                        << "sentinel parallel-syncs " << name << " 1\n";
  pid_ = fork();
  if (pid_ == 0) {
    execl("/usr/bin/redis-sentinel", "redis-sentinel", config.c_str(), "--logfile", (dir_ + "/log").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  wait_until([&] { return pings(port_); }, "redis-sentinel");
}

sentinel_process::~sentinel_process() {
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int sentinel_process::master_port(const std::string& name) const {
  const std::string out = run_process({"/usr/bin/redis-cli", "-p", std::to_string(port_), "SENTINEL",
                                       "get-master-addr-by-name", name})
                              .out;
  const auto nl = out.find('\n');
  if (nl == std::string::npos) return 0;
  return std::atoi(out.c_str() + nl + 1);
}

}  // namespace callpolicy::testing
