#include "agent/handler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "crypto/secret_file.h"
#include "keys/identity_file.h"

namespace tresor::agent {
namespace {

using keys::Message;
using keys::ReplyKind;
using keys::RequestKind;

std::vector<uint8_t> Reply(ReplyKind kind, std::span<const std::string_view> fields = {}) {
  return keys::EncodeTextFrame(static_cast<uint8_t>(kind), fields);
}

Result<int64_t> Seconds(std::string_view text, const char* what) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("bad ") + what + " seconds");
  }
  return n;
}

crypto::SecretBytes Secret(std::span<const uint8_t> bytes) {
  return crypto::SecretBytes::CopyOf(bytes);
}

Result<std::vector<uint8_t>> Add(const Message& m, HandlerContext& c) {
  if (c.passed_fd < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "add needs the identity file's descriptor");
  }
  // Only a regular file can be read to its end without waiting on
  // whoever holds the other end (a pipe, a FIFO, a socket, a terminal):
  // the agent serves every client from one thread.
  struct stat st {};
  if (::fstat(c.passed_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "add needs the descriptor of a regular file (not a pipe, socket or device)");
  }
  const std::string name(m.Text(0));
  TRESOR_ASSIGN_OR_RETURN(const int64_t ttl, Seconds(m.Text(2), "ttl"));
  TRESOR_ASSIGN_OR_RETURN(const int64_t idle, Seconds(m.Text(3), "idle"));
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content,
                          crypto::ReadSecretFd(c.passed_fd, name, keys::kMaxIdentityFile));
  TRESOR_ASSIGN_OR_RETURN(auto recipients, c.store.Add(name, std::move(content),
                                                       Secret(m.fields[1]), ttl, idle, c.now));
  c.log("added " + name);
  std::vector<std::string_view> fields(recipients.begin(), recipients.end());
  return Reply(ReplyKind::kOk, fields);
}

Result<std::vector<uint8_t>> Unwrap(const Message& m, HandlerContext& c) {
  const auto stanzas = keys::UnwrapStanzas(m);
  crypto::SecretBytes file_key;
  std::string name;
  TRESOR_ASSIGN_OR_RETURN(auto outcome, c.store.Unwrap(stanzas, c.now, &file_key, &name));
  switch (outcome) {
    case UnwrapOutcome::kMatched: {
      const std::span<const uint8_t> fields[] = {
          file_key.Reveal(), {reinterpret_cast<const uint8_t*>(name.data()), name.size()}};
      return keys::EncodeFrame(static_cast<uint8_t>(ReplyKind::kOk), fields);
    }
    case UnwrapOutcome::kLocked:
      return Reply(ReplyKind::kLocked);
    case UnwrapOutcome::kNoMatch:
      break;
  }
  return Reply(ReplyKind::kNoMatch);
}

std::vector<uint8_t> List(HandlerContext& c) {
  std::vector<std::string> texts;
  for (const EntryInfo& e : c.store.List()) {
    texts.push_back(e.name);
    texts.push_back(e.recipient);
    texts.push_back(e.locked ? "locked" : "unlocked");
    texts.push_back(e.is_protected ? "protected" : "plain");
    texts.push_back(std::to_string(e.expires_at));
    texts.push_back(std::to_string(e.idle_seconds));
  }
  std::vector<std::string_view> fields(texts.begin(), texts.end());
  return Reply(ReplyKind::kOk, fields);
}

std::vector<uint8_t> Status(HandlerContext& c) {
  const std::string texts[] = {
      std::to_string(::getpid()),     c.socket_path,
      std::to_string(c.store.size()), std::to_string(c.store.locked_count()),
      std::to_string(c.started_at),   std::to_string(c.store.token_count())};
  const std::string_view fields[] = {texts[0], texts[1], texts[2], texts[3], texts[4], texts[5]};
  return Reply(ReplyKind::kOk, fields);
}

Result<std::vector<uint8_t>> SetToken(const Message& m, HandlerContext& c) {
  if (m.fields[0].empty() || m.fields[1].empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a token needs an address and a value");
  }
  TRESOR_ASSIGN_OR_RETURN(const int64_t ttl, Seconds(m.Text(2), "ttl"));
  const std::string address(m.Text(0));
  c.store.SetToken(address, Secret(m.fields[1]), ttl > 0 ? c.now + ttl : 0);
  c.log("holds a token for " + address);
  return Reply(ReplyKind::kOk);
}

std::vector<uint8_t> GetToken(const Message& m, HandlerContext& c) {
  const crypto::SecretBytes* token = c.store.Token(std::string(m.Text(0)), c.now);
  if (token == nullptr) return Reply(ReplyKind::kNoMatch);
  const std::span<const uint8_t> fields[] = {token->Reveal()};
  return keys::EncodeFrame(static_cast<uint8_t>(ReplyKind::kOk), fields);
}

Result<std::vector<uint8_t>> Dispatch(const Message& m, HandlerContext& c) {
  switch (static_cast<RequestKind>(m.kind)) {
    case RequestKind::kUnwrap:
      return Unwrap(m, c);
    case RequestKind::kAdd:
      return Add(m, c);
    case RequestKind::kList:
      return List(c);
    case RequestKind::kRemove:
      TRESOR_RETURN_IF_ERROR(c.store.Remove(std::string(m.Text(0))));
      c.log(m.Text(0).empty() ? "removed all identities" : "removed " + std::string(m.Text(0)));
      return Reply(ReplyKind::kOk);
    case RequestKind::kLock:
      c.store.Lock();
      c.log("locked");
      return Reply(ReplyKind::kOk);
    case RequestKind::kUnlock:
      TRESOR_RETURN_IF_ERROR(c.store.Unlock(std::string(m.Text(0)), Secret(m.fields[1]), c.now));
      c.log("unlocked " + std::string(m.Text(0)));
      return Reply(ReplyKind::kOk);
    case RequestKind::kStatus:
      return Status(c);
    case RequestKind::kStop:
      c.stop = true;
      return Reply(ReplyKind::kOk);
    case RequestKind::kSetToken:
      return SetToken(m, c);
    case RequestKind::kGetToken:
      return GetToken(m, c);
  }
  return MakeError(ErrorCode::kInternal, "unhandled request");
}

}  // namespace

std::vector<uint8_t> ErrorReply(const Error& error) {
  const std::string code = std::to_string(static_cast<int>(error.code));
  const std::string_view fields[] = {code, error.message};
  return Reply(ReplyKind::kError, fields);
}

std::vector<uint8_t> HandleRequest(std::span<const uint8_t> body, HandlerContext& context) {
  auto message = keys::DecodeBody(body);
  if (!message) return ErrorReply(message.error());
  if (auto valid = keys::ValidateRequest(*message); !valid) return ErrorReply(valid.error());
  auto reply = Dispatch(*message, context);
  if (!reply) return ErrorReply(reply.error());
  return std::move(*reply);
}

}  // namespace tresor::agent
