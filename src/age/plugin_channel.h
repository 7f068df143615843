// The plugin protocol's transport (C2SP age-plugin, "IPC protocol"): age
// stanzas written one after another, each side waiting for the other's
// answer. Used by the client side (age/plugin.h, over a socket pair) and by
// tresor's own plugin (age-plugin-tresor, over stdin and stdout).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "age/header.h"

namespace tresor::age {

class StanzaChannel {
 public:
  // Reads `in` and writes `out` (not owned); `name` prefixes errors. With
  // `socket`, writes use send(MSG_NOSIGNAL): a peer that went away is an
  // error, not SIGPIPE.
  StanzaChannel(int in, int out, std::string name, bool socket)
      : in_(in), out_(out), name_(std::move(name)), socket_(socket) {}

  Result<void> Send(const Stanza& stanza);
  Result<void> Send(std::string type, std::vector<std::string> args = {},
                    std::span<const uint8_t> body = {});
  // The next stanza; kHeader when the peer writes something else or stops
  // in the middle of one.
  Result<Stanza> Receive();
  const std::string& name() const { return name_; }

 private:
  // The next line, reading only what the peer has written: reading ahead
  // would wait for ever for data the peer sends only after our answer.
  Result<std::string> NextLine();

  int in_;
  int out_;
  std::string name_;
  bool socket_;
  std::string pending_;
  size_t line_ = 0;
};

}  // namespace tresor::age
