#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/support/subprocess.h"

namespace callpolicy::testing {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

int open_connection(int port, const std::string& from) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  ::inet_pton(AF_INET, from.c_str(), &source.sin_addr);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

namespace {

http_reply parse_reply(const std::string& raw) {
  http_reply reply;
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + 9);
  std::size_t at = raw.find("\r\n") + 2;
  while (at < head_end) {
    const auto end = raw.find("\r\n", at);
    const std::string line = raw.substr(at, end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    at = end + 2;
  }
  reply.body = raw.substr(head_end + 4);
  return reply;
}

}  // namespace

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string receive(int fd, std::chrono::milliseconds timeout) {
  std::string raw;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[65536];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  return raw;
}

http_reply read_response(int fd) {
  std::string raw;
  char buffer[4096];
  for (;;) {
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      http_reply reply = parse_reply(raw);
      const auto length = reply.headers.find("content-length");
      const std::size_t body = length == reply.headers.end() ? 0 : std::stoul(length->second);
      if (raw.size() >= head_end + 4 + body) {
        reply.body.resize(body);
        return reply;
      }
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return {};
    raw.append(buffer, static_cast<std::size_t>(n));
  }
}

http_reply http_raw(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
  const int fd = open_connection(port);
  if (fd < 0) return {};
  send_all(fd, bytes);
  const std::string raw = receive(fd, timeout);
  ::close(fd);
  return parse_reply(raw);
}

http_reply http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    request += name + ": " + value + "\r\n";
    has_type |= name == "Content-Type";
  }
  if (method == "POST" && !has_type) request += "Content-Type: application/x-www-form-urlencoded\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return http_raw(port, request, std::chrono::seconds(10));
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    for (const std::string* part : {&name, &value}) {
      for (const char ch : *part) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
          out += ch;
        } else {
          out += '%';
          out += hex[c >> 4];
          out += hex[c & 15];
        }
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

std::string sign(const std::string& token, const std::string& url, const std::string& form_body) {
  // Decode the body ourselves, sort by name, concatenate.
  std::vector<std::pair<std::string, std::string>> pairs;
  auto decode = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::size_t start = 0;
  while (start < form_body.size()) {
    const std::size_t end = std::min(form_body.find('&', start), form_body.size());
    const std::string pair = form_body.substr(start, end - start);
    const auto eq = pair.find('=');
    pairs.emplace_back(decode(pair.substr(0, eq)), eq == std::string::npos ? "" : decode(pair.substr(eq + 1)));
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string data = url;
  for (const auto& [k, v] : pairs) data += k + v;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  std::string encoded(4 * ((length + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac, static_cast<int>(length));
  return encoded;
}

server_process::server_process(std::vector<std::string> args, int port) {
  char pattern[] = "/tmp/callpolicy-serve-log-XXXXXX";
  const int log_fd = ::mkstemp(pattern);
  log_path_ = pattern;
  // Tests run in parallel: another process may take the free port first, in
  // which case the server exits at once and a new port is tried.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = port && attempt == 0 ? port : free_port();
    do {
      admin_port_ = free_port();
    } while (admin_port_ == port_);
    ::ftruncate(log_fd, 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(log_fd, 2);
      const int null_fd = ::open("/dev/null", O_RDWR);
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      std::vector<std::string> argv{CALLPOLICY_BINARY, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                    "--admin-listen", "127.0.0.1:" + std::to_string(admin_port_)};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
    // Up to three minutes: a large journal's replay under sanitizers on a
    // loaded machine takes over one (hostile_test bounds it more tightly).
    for (int i = 0; i < 7200; ++i) {
      if (http_request(port_, "GET", "/readyz").status == 200) {
        ::close(log_fd);
        return;
      }
      if (!running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    if (running() || log().find("cannot listen") == std::string::npos) break;
  }
  ::close(log_fd);
  const std::string why = log();
  kill_hard();
  throw std::runtime_error("callpolicy serve did not become ready: " + why);
}

server_process::~server_process() {
  if (pid_ > 0) stop();
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void server_process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int server_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void server_process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string call_sid(unsigned long long n) { return fmt::format("CA{:032x}", n); }

std::string utc_in(std::chrono::seconds from_now) {
  const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + from_now);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", t);
}

std::string server_process::log() const { return read_text(log_path_); }

http_reply server_process::post(const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& fields,
                                const std::string& token) {
  const std::string body = form(fields);
  return http_request(port_, "POST", path, body,
                      {{"X-Twilio-Signature", sign(token, base_url() + path, body)}});
}

}  // namespace callpolicy::testing
