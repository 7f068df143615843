// age ASCII armor: "-----BEGIN AGE ENCRYPTED FILE-----", padded base64 in
// 64-column lines, "-----END AGE ENCRYPTED FILE-----". Both directions stream
// in constant memory. Decoding is strict (as the C2SP vectors require):
// full 64-column lines except the last, canonical padding, no headers, CRLF
// or LF line ends, whitespace only outside the begin and end lines. Every
// decoding error is kArmor.
#pragma once

#include <string>
#include <vector>

#include "age/io.h"

namespace tresor::age {

inline constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";

// True if `prefix` (the first bytes of a file) looks armored: its first
// non-whitespace byte is '-', or it holds the begin line. A binary age file
// starts with "age-encryption.org/".
bool LooksArmored(std::span<const uint8_t> prefix);

// Decodes armored text read from `in` into the binary age file.
class ArmorReader : public Source {
 public:
  explicit ArmorReader(Reader& in) : in_(in) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  Result<void> ReadBegin();
  Result<void> ReadNextLine();
  Result<void> ReadTrailer();

  Reader& in_;
  enum class State { kBegin, kBody, kDone } state_ = State::kBegin;
  bool saw_short_line_ = false;  // the last line was shorter than 64 columns
  size_t line_no_ = 0;
  std::vector<uint8_t> decoded_;  // decoded bytes of the current line
  size_t decoded_pos_ = 0;
};

// Encodes what is written into armored text on `out`. Call Finish() once at
// the end; it writes the final line and the end marker.
class ArmorWriter : public Sink {
 public:
  explicit ArmorWriter(Sink& out) : out_(out) {}
  Result<void> Write(std::span<const uint8_t> data) override;
  Result<void> Finish();

 private:
  Result<void> Flush(bool final);

  Sink& out_;
  bool begun_ = false;
  std::vector<uint8_t> pending_;  // bytes not yet forming a full line
  std::string text_;              // encoded text waiting to be written
};

}  // namespace tresor::age
