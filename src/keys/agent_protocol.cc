#include "keys/agent_protocol.h"

#include <algorithm>

#include "crypto/big_endian.h"

namespace tresor::keys {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// A stanza type or argument: printable ASCII, no space (age's rule).
bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 32 && c < 127; });
}

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "malformed agent message: " + what);
}

}  // namespace

std::vector<uint8_t> EncodeFrame(uint8_t kind, std::span<const std::span<const uint8_t>> fields) {
  size_t body = 1;
  for (const auto& f : fields) body += 4 + f.size();
  std::vector<uint8_t> out;
  out.reserve(4 + body);
  crypto::AppendU32(out, static_cast<uint32_t>(body));
  out.push_back(kind);
  for (const auto& f : fields) {
    crypto::AppendU32(out, static_cast<uint32_t>(f.size()));
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

std::vector<uint8_t> EncodeTextFrame(uint8_t kind, std::span<const std::string_view> fields) {
  std::vector<std::span<const uint8_t>> spans;
  spans.reserve(fields.size());
  for (std::string_view f : fields) spans.push_back(Bytes(f));
  return EncodeFrame(kind, spans);
}

Result<size_t> FrameLength(std::span<const uint8_t, 4> header) {
  const size_t n = crypto::ReadU32(header);
  if (n == 0) return Malformed("empty body");
  if (n > kMaxMessage) {
    return Malformed("a body of " + std::to_string(n) + " bytes is over the limit of " +
                     std::to_string(kMaxMessage));
  }
  return n;
}

Result<Message> DecodeBody(std::span<const uint8_t> body) {
  if (body.empty()) return Malformed("empty body");
  Message m;
  m.kind = body[0];
  size_t at = 1;
  while (at < body.size()) {
    if (body.size() - at < 4)
      return Malformed("truncated field length at byte " + std::to_string(at));
    const size_t n = crypto::ReadU32(body.subspan(at, 4));
    at += 4;
    if (n > body.size() - at) {
      return Malformed("field at byte " + std::to_string(at - 4) + " runs past the end");
    }
    m.fields.push_back(body.subspan(at, n));
    at += n;
  }
  return m;
}

Result<void> ValidateRequest(const Message& request) {
  size_t want = 0;
  switch (static_cast<RequestKind>(request.kind)) {
    case RequestKind::kUnwrap: {
      const size_t n = request.fields.size();
      if (n == 0 || n % 3 != 0) return Malformed("unwrap needs 3 fields per stanza");
      if (n / 3 > kMaxStanzas) return Malformed("more than 4096 stanzas");
      for (size_t i = 0; i < n; i += 3) {
        if (!IsToken(request.Text(i))) {
          return Malformed("stanza " + std::to_string(i / 3 + 1) + ": bad type");
        }
        std::string_view args = request.Text(i + 1);
        while (!args.empty()) {
          const size_t sp = args.find(' ');
          if (!IsToken(args.substr(0, sp))) {
            return Malformed("stanza " + std::to_string(i / 3 + 1) + ": bad argument");
          }
          if (sp == std::string_view::npos) break;
          args.remove_prefix(sp + 1);
          if (args.empty())
            return Malformed("stanza " + std::to_string(i / 3 + 1) + ": bad argument");
        }
      }
      return {};
    }
    case RequestKind::kAdd:
      want = 4;
      break;
    case RequestKind::kRemove:
    case RequestKind::kGetToken:
      want = 1;
      break;
    case RequestKind::kSetToken:
      want = 3;
      break;
    case RequestKind::kUnlock:
      want = 2;
      break;
    case RequestKind::kList:
    case RequestKind::kLock:
    case RequestKind::kStatus:
    case RequestKind::kStop:
      want = 0;
      break;
    default:
      return Malformed("unknown request kind " + std::to_string(request.kind));
  }
  if (request.fields.size() != want) {
    return Malformed("request '" + std::string(1, static_cast<char>(request.kind)) + "' needs " +
                     std::to_string(want) + " fields, got " +
                     std::to_string(request.fields.size()));
  }
  return {};
}

std::vector<age::Stanza> UnwrapStanzas(const Message& request) {
  std::vector<age::Stanza> stanzas;
  for (size_t i = 0; i + 2 < request.fields.size(); i += 3) {
    age::Stanza s;
    s.type = std::string(request.Text(i));
    std::string_view args = request.Text(i + 1);
    while (!args.empty()) {
      const size_t sp = args.find(' ');
      s.args.emplace_back(args.substr(0, sp));
      if (sp == std::string_view::npos) break;
      args.remove_prefix(sp + 1);
    }
    s.body.assign(request.fields[i + 2].begin(), request.fields[i + 2].end());
    stanzas.push_back(std::move(s));
  }
  return stanzas;
}

std::vector<uint8_t> EncodeUnwrap(std::span<const age::Stanza> stanzas) {
  std::vector<std::string> args(stanzas.size());
  std::vector<std::span<const uint8_t>> fields;
  for (size_t i = 0; i < stanzas.size(); ++i) {
    for (const std::string& a : stanzas[i].args) {
      if (!args[i].empty()) args[i].push_back(' ');
      args[i].append(a);
    }
    fields.push_back(Bytes(stanzas[i].type));
    fields.push_back(Bytes(args[i]));
    fields.push_back(stanzas[i].body);
  }
  return EncodeFrame(static_cast<uint8_t>(RequestKind::kUnwrap), fields);
}

}  // namespace tresor::keys
