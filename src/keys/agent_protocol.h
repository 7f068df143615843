// The agent protocol: what a client and the tresor agent say over the Unix
// socket. docs/agent.md is the reference; in short:
//
//   frame   := length:u32be body           (length <= kMaxMessage)
//   body    := kind:u8 field*
//   field   := length:u32be bytes
//
// A request's kind is one of RequestKind; a reply's is one of ReplyKind.
// Private keys never appear in either: an unwrap request carries a file's
// recipient stanzas (type, space-separated arguments, body) and its reply the
// 16-byte file key. An add request carries the identity file as a file
// descriptor (SCM_RIGHTS) and its passphrase, never the decrypted identity.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "age/header.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::keys {

// Large enough for the stanzas of a file with thousands of recipients; small
// enough that a hostile peer cannot make the agent allocate much.
inline constexpr size_t kMaxMessage = 1 << 20;
inline constexpr size_t kMaxStanzas = 4096;

enum class RequestKind : uint8_t {
  kUnwrap = 'u',  // fields: (type, args, body) per stanza
  kAdd = 'a',     // fields: name, passphrase, ttl seconds, idle seconds; + one fd
  kList = 'l',    // no fields
  kRemove = 'r',  // fields: name ("" removes all)
  kLock = 'k',    // no fields
  kUnlock = 'o',  // fields: name, passphrase
  kStatus = 's',  // no fields
  kStop = 'q',    // no fields
  // A server token for tresor:NAME groups and $store references (tresor
  // login --agent), kept in memory only; given back to this user's
  // processes. fields: address, token, ttl seconds (0: until lock or stop)
  kSetToken = 't',
  kGetToken = 'g',  // fields: address; reply kOk with the token, or kNoMatch
};

enum class ReplyKind : uint8_t {
  kOk = 'O',       // fields depend on the request (see docs/agent.md)
  kError = 'E',    // fields: message
  kNoMatch = 'N',  // unwrap: no identity in the agent opens the stanzas
  kLocked = 'L',   // unwrap: nothing matched and some identities are locked
};

// A decoded body. Fields view the bytes it was decoded from.
struct Message {
  uint8_t kind = 0;
  std::vector<std::span<const uint8_t>> fields;

  std::string_view Text(size_t i) const {
    return {reinterpret_cast<const char*>(fields[i].data()), fields[i].size()};
  }
};

// Encodes a frame (length prefix included).
std::vector<uint8_t> EncodeFrame(uint8_t kind, std::span<const std::span<const uint8_t>> fields);
// The same for fields that are all text.
std::vector<uint8_t> EncodeTextFrame(uint8_t kind, std::span<const std::string_view> fields);

// The body length a frame header announces; kInvalidArgument if over
// kMaxMessage. `header` is the first 4 bytes of a frame.
Result<size_t> FrameLength(std::span<const uint8_t, 4> header);

// Decodes a body: every field within bounds, nothing after the last one.
Result<Message> DecodeBody(std::span<const uint8_t> body);

// Checks a request's kind and its number of fields; for an unwrap, the
// stanzas it carries (types and arguments printable ASCII without spaces,
// at most kMaxStanzas).
Result<void> ValidateRequest(const Message& request);

// The stanzas of a validated unwrap request.
std::vector<age::Stanza> UnwrapStanzas(const Message& request);

// The fields of an unwrap request for `stanzas`.
std::vector<uint8_t> EncodeUnwrap(std::span<const age::Stanza> stanzas);

}  // namespace tresor::keys
