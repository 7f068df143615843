// The agent's socket and its loop: one thread, poll(2), many clients.
#pragma once

#include <functional>
#include <string>

#include "crypto/result.h"

namespace tresor::agent {

struct ServerOptions {
  std::string socket_path;
  std::function<void(const std::string&)> log;  // one line per event; never a secret
  // Called once the socket listens (agent start's parent waits for it).
  std::function<void()> ready;
};

// Makes the socket's directory (0700, this user's; an existing one must be
// both), takes a lock beside the socket so two agents cannot share it,
// replaces a stale socket (never a symlink or other file in its place: that
// is kRefused), listens with mode 0600, and serves until a stop request,
// SIGTERM, SIGINT or SIGHUP. Clients of another uid are answered with an
// error and closed. The socket is removed on the way out.
Result<void> RunServer(const ServerOptions& options);

}  // namespace tresor::agent
