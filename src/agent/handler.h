// One agent request in, one reply frame out: the protocol meets the store.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/store.h"
#include "keys/agent_protocol.h"

namespace tresor::agent {

struct HandlerContext {
  Store& store;
  int64_t now = 0;
  int passed_fd = -1;  // the descriptor an add request carried, or -1
  std::string socket_path;
  int64_t started_at = 0;
  std::function<void(const std::string&)> log;  // one line; never a secret
  bool stop = false;                            // set by a stop request
};

// The reply frame for `body`: malformed requests get an error reply.
std::vector<uint8_t> HandleRequest(std::span<const uint8_t> body, HandlerContext& context);

// An error reply frame.
std::vector<uint8_t> ErrorReply(const Error& error);

}  // namespace tresor::agent
