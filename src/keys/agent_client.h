// The client side of the agent: where its socket is, and one request and
// reply over it. Every connection checks that the socket is a socket (not a
// symlink planted in its place) owned by this user, and that the process
// answering runs as this user (SO_PEERCRED), before anything is sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keys/agent_protocol.h"

namespace tresor::keys {

// $TRESOR_AGENT_SOCK if set; else $XDG_RUNTIME_DIR/tresor/agent.sock; else
// /tmp/tresor-UID/agent.sock.
std::string AgentSocketPath();

// A reply: the bytes (wiped on destruction: an unwrap reply holds a file
// key) and the message decoded from them.
struct AgentReply {
  crypto::SecretBytes bytes;
  Message message;
  ReplyKind kind() const { return static_cast<ReplyKind>(message.kind); }
};

// Connects to the agent at `socket_path`, sends `frame` (with `pass_fd`
// attached if not -1) and reads the reply. kNotFound if no agent listens
// there (no socket, or a stale one), kRefused if the socket or its owner is
// not this user's, kIo for other failures. Waits at most 60 seconds (an add
// runs scrypt).
Result<AgentReply> CallAgent(const std::string& socket_path, std::span<const uint8_t> frame,
                             int pass_fd = -1);

// The same for a request whose fields are all text.
Result<AgentReply> CallAgent(const std::string& socket_path, RequestKind kind,
                             std::span<const std::string_view> fields, int pass_fd = -1);

// The server token the agent holds for `address` (tresor login --agent); ""
// when no agent runs, it holds none for that address, or cannot be asked.
std::string AgentToken(const std::string& address);

// Frames: whole writes and reads on a blocking socket, shared with the agent.
Result<void> SendAll(int fd, std::span<const uint8_t> bytes, int pass_fd = -1);
Result<crypto::SecretBytes> ReadFrameBody(int fd);

}  // namespace tresor::keys
