// A real `callpolicy serve` on a free loopback port, and a minimal HTTP/1.1
// client that speaks to it over plain sockets (so tests can also send
// malformed, slow and truncated requests).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace callpolicy::testing {

int free_port();

struct http_reply {
  int status = 0;  // 0: no answer (connection closed or timed out)
  std::map<std::string, std::string> headers;  // names lower case
  std::string body;
};

// One request on a new connection (Connection: close).
http_reply http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
// A TCP connection to 127.0.0.1:port from the loopback address `from`
// (127.0.0.2 is another client); -1 when it cannot connect. The caller closes it.
int open_connection(int port, const std::string& from = "127.0.0.1");
// Sends all of `bytes` on `fd`; false when the peer stopped taking them.
bool send_all(int fd, const std::string& bytes);
// What arrives on `fd` until the peer closes or `timeout` passes.
std::string receive(int fd, std::chrono::milliseconds timeout);
// Sends raw bytes and reads until the server closes or `timeout` passes.
http_reply http_raw(int port, const std::string& bytes, std::chrono::milliseconds timeout);
// One response on a kept-alive connection, read as far as its Content-Length;
// status 0 when the peer closed first.
http_reply read_response(int fd);

// The X-Twilio-Signature of a form body, computed here with OpenSSL, not by
// the server's code.
std::string sign(const std::string& token, const std::string& url, const std::string& form_body);
std::string form(const std::vector<std::pair<std::string, std::string>>& fields);
// A CallSid of Twilio's shape ("CA" and 32 hex digits) numbered n.
std::string call_sid(unsigned long long n);
// The time `from_now` from now in RFC 3339 UTC (2026-12-04T18:00:00Z), as an
// override's `until` is written.
std::string utc_in(std::chrono::seconds from_now);

class server_process {
 public:
  // Starts `callpolicy serve --listen 127.0.0.1:PORT --admin-listen
  // 127.0.0.1:ADMIN_PORT ...args` and waits for /readyz.
  explicit server_process(std::vector<std::string> args, int port = 0);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool running();
  void signal(int sig);
  int stop();      // SIGTERM and wait: the exit code
  void kill_hard();  // SIGKILL and wait
  std::string log() const;  // what it wrote to stderr so far

  // POST a signed form to `path` with `token`.
  http_reply post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields,
                  const std::string& token);

 private:
  int port_ = 0;
  int admin_port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace callpolicy::testing
