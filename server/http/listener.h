// A listening socket on one worker's loop: accepts, refuses what is over the
// connection caps or arrives while draining, and pauses while the process is
// out of descriptors. Owned by the server beside its worker; its handlers
// reach it by `this`, so it is stopped and its worker's loop run dry before
// it goes.
#pragma once

#include <string>

#include "server/http/http_session.h"

namespace callpolicy::server {

class listener {
 public:
  listener(worker& w, tcp::endpoint endpoint);
  // Another worker's listener on the same listening socket (a duplicate of
  // its descriptor): every worker accepts from one queue, and the address
  // stays bound exclusively, so a second server on a taken port still fails
  // to start (SO_REUSEPORT would let it share the port silently).
  listener(worker& w, listener& first);

  void accept();
  // On the worker's thread.
  void stop();
  std::string local_address() const;
  worker& owner() { return worker_; }

 private:
  void on_accept(beast::error_code ec, socket_type socket);

  acceptor_type acceptor_;
  timer_type backoff_;
  worker& worker_;
  bool out_of_descriptors_ = false;
  handler_memory accept_memory_;  // the accept in flight
};

}  // namespace callpolicy::server
