// Real redis-server and redis-sentinel processes on free loopback ports, for
// the shared-state tests: started, stalled (SIGSTOP), killed and restarted on
// the same port, as an outage does to a server.
#pragma once

#include <sys/types.h>

#include <string>

namespace callpolicy::testing {

class redis_process {
 public:
  // A master, or with `replica_of` a replica of the master on that port.
  explicit redis_process(int replica_of = 0);
  ~redis_process();
  redis_process(const redis_process&) = delete;
  redis_process& operator=(const redis_process&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  void pause();   // SIGSTOP: a stall, the connection stays open
  void resume();  // SIGCONT
  void kill_hard();  // SIGKILL: an outage
  void restart();    // again on the same port, empty
  bool running() const { return pid_ > 0; }
  // redis-cli against it; its stdout.
  std::string cli(const std::string& args) const;

 private:
  void start();
  int port_;
  int replica_of_;
  // Its working directory: a replica writes the master's snapshot there
  // even with saving off, and it must not land in the test's directory.
  std::string dir_;
  pid_t pid_ = -1;
};

class sentinel_process {
 public:
  // Watches the master on `master_port` as `name`; quorum 1, failover within
  // about a second.
  sentinel_process(int master_port, const std::string& name);
  ~sentinel_process();
  sentinel_process(const sentinel_process&) = delete;
  sentinel_process& operator=(const sentinel_process&) = delete;
  int port() const { return port_; }
  // The master's port as this sentinel names it now.
  int master_port(const std::string& name) const;

 private:
  int port_;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace callpolicy::testing
