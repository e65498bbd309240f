#include "server/http/listener.h"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include <fmt/format.h>

#include "server/log.h"

namespace callpolicy::server {

listener::listener(worker& w, tcp::endpoint endpoint)
    : acceptor_(w.io().get_executor()), backoff_(w.io().get_executor()), worker_(w) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

listener::listener(worker& w, listener& first)
    : acceptor_(w.io().get_executor()), backoff_(w.io().get_executor()), worker_(w) {
  const int fd = ::dup(first.acceptor_.native_handle());
  if (fd < 0) throw std::runtime_error("cannot share the listening socket");
  acceptor_.assign(first.acceptor_.local_endpoint().protocol(), fd);
}

void listener::accept() {
  acceptor_.async_accept(with_memory(accept_memory_, [this](beast::error_code ec, socket_type socket) {
    on_accept(ec, std::move(socket));
  }));
}

void listener::stop() {
  beast::error_code ec;
  acceptor_.close(ec);
  backoff_.cancel();
}

std::string listener::local_address() const {
  const auto e = acceptor_.local_endpoint();
  return e.address().is_v6() ? fmt::format("[{}]:{}", e.address().to_string(), e.port())
                             : fmt::format("{}:{}", e.address().to_string(), e.port());
}

void listener::on_accept(beast::error_code ec, socket_type socket) {
  if (!acceptor_.is_open()) return;
  if (ec == net::error::no_descriptors || ec.value() == ENFILE || ec == net::error::no_buffer_space ||
      ec == net::error::no_memory) {
    // Out of descriptors: accepting again at once would spin at 100% CPU
    // while the pending connection stays queued. Wait for some to close.
    if (!out_of_descriptors_) log_message("warning", "accept paused: out of file descriptors", "error", ec.message());
    out_of_descriptors_ = true;
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) accept();
    });
    return;
  }
  if (!ec) {
    out_of_descriptors_ = false;
    beast::error_code endpoint_ec;
    const auto remote = socket.remote_endpoint(endpoint_ec);
    std::string address = endpoint_ec ? std::string("unknown") : remote.address().to_string();
    shared& s = worker_.common();
    if (s.draining || !s.admit(address, worker_.admin())) {
      // Over a cap: refuse at once rather than queue without bound.
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      worker_.open(std::move(socket), std::move(address));
    }
  }
  accept();
}

}  // namespace callpolicy::server
