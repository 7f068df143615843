#include "age/plugin_channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tresor::age {
namespace {

constexpr size_t kMaxLine = 1 << 20;

}  // namespace

Result<void> StanzaChannel::Send(const Stanza& stanza) {
  const std::string text = EncodeStanza(stanza);
  for (size_t at = 0; at < text.size();) {
    const ssize_t n = socket_ ? ::send(out_, text.data() + at, text.size() - at, MSG_NOSIGNAL)
                              : ::write(out_, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, name_ + " stopped reading (it exited?)");
    at += static_cast<size_t>(n);
  }
  return {};
}

Result<void> StanzaChannel::Send(std::string type, std::vector<std::string> args,
                                 std::span<const uint8_t> body) {
  return Send(Stanza{std::move(type), std::move(args), {body.begin(), body.end()}});
}

Result<Stanza> StanzaChannel::Receive() {
  auto stanza = ReadStanza([this] { return NextLine(); }, &line_);
  if (!stanza) return WithPlace(name_, std::move(stanza).error());
  return stanza;
}

Result<std::string> StanzaChannel::NextLine() {
  size_t nl = pending_.find('\n');
  while (nl == std::string::npos) {
    if (pending_.size() > kMaxLine) return MakeError(ErrorCode::kHeader, "a line over 1 MiB");
    char chunk[4096];
    const ssize_t n = ::read(in_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "read: " + std::string(std::strerror(errno)));
    if (n == 0) return std::exchange(pending_, {});  // the peer is gone
    pending_.append(chunk, static_cast<size_t>(n));
    nl = pending_.find('\n');
  }
  std::string line = pending_.substr(0, nl + 1);
  pending_.erase(0, nl + 1);
  return line;
}

}  // namespace tresor::age
