// The age v1 header: the intro line, recipient stanzas and the header MAC.
//
// Parsing is strict (canonical base64, LF line endings, 64-column body
// lines): every error is kHeader and names the line. The MAC is checked by the
// caller once it has a file key (see decrypt.h), over the exact bytes read.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "age/io.h"
#include "crypto/kdf.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::age {

inline constexpr std::string_view kIntroLine = "age-encryption.org/v1";
inline constexpr size_t kFileKeySize = 16;

// A recipient stanza: "-> TYPE ARG..." and a base64 body.
struct Stanza {
  std::string type;
  std::vector<std::string> args;
  std::vector<uint8_t> body;
};

struct Header {
  std::vector<Stanza> stanzas;
  crypto::Digest mac{};
  // The bytes the MAC covers: the header up to and including "---".
  std::string mac_input;
};

// Reads and parses a header from `in`, leaving `in` at the first payload byte.
Result<Header> ReadHeader(Reader& in);

// Serialises stanzas followed by "---" (the MAC input, without the MAC).
std::string EncodeHeaderForMac(const std::vector<Stanza>& stanzas);

// One stanza as the header and the plugin protocol write it: "-> TYPE ARGS"
// and the base64 body in 64-column lines, the last one shorter (maybe empty).
std::string EncodeStanza(const Stanza& stanza);
// Reads one stanza as EncodeStanza writes it, a line at a time from
// `next_line` (each with its '\n'; without one at the end of the stream).
// kHeader errors say "line N", counted from `*line_no`, which advances. The
// type and arguments are any non-empty visible ASCII.
Result<Stanza> ReadStanza(const std::function<Result<std::string>()>& next_line, size_t* line_no);

// HMAC-SHA-256 over `mac_input` under HKDF(file key, info "header").
crypto::Digest HeaderMac(const crypto::SecretBytes& file_key, std::string_view mac_input);

}  // namespace tresor::age
