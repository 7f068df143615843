#include "age/armor.h"

#include <algorithm>
#include <cstring>

#include "age/base64.h"

namespace tresor::age {
namespace {

constexpr size_t kColumns = 64;                     // fixed by the age spec
constexpr size_t kBytesPerLine = kColumns / 4 * 3;  // 48
constexpr size_t kMaxArmorLine = 128;               // longer lines are already invalid

bool IsSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Error ArmorError(size_t line, const std::string& what) {
  return MakeError(ErrorCode::kArmor, "line " + std::to_string(line) + ": " + what);
}

// Strips "\n" or "\r\n"; `had_eol` says whether the line ended at all.
std::string_view StripEol(std::string_view line, bool& had_eol) {
  had_eol = !line.empty() && line.back() == '\n';
  if (had_eol) {
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  return line;
}

}  // namespace

bool LooksArmored(std::span<const uint8_t> prefix) {
  for (uint8_t c : prefix) {
    if (!IsSpace(c)) {
      if (c == '-') return true;
      break;
    }
  }
  // Garbage before the begin line is an armor error, not a binary file.
  std::string_view text(reinterpret_cast<const char*>(prefix.data()), prefix.size());
  return text.find(kArmorBegin) != std::string_view::npos;
}

Result<size_t> ArmorReader::Read(std::span<uint8_t> out) {
  if (state_ == State::kBegin) TRESOR_RETURN_IF_ERROR(ReadBegin());
  size_t written = 0;
  while (written < out.size()) {
    if (decoded_pos_ == decoded_.size()) {
      if (state_ == State::kDone) break;
      if (written > 0) break;  // hand over what we have before parsing more
      TRESOR_RETURN_IF_ERROR(ReadNextLine());
      continue;
    }
    const size_t n = std::min(out.size() - written, decoded_.size() - decoded_pos_);
    std::memcpy(out.data() + written, decoded_.data() + decoded_pos_, n);
    decoded_pos_ += n;
    written += n;
  }
  return written;
}

Result<void> ArmorReader::ReadBegin() {
  // Whitespace before the armor is allowed.
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(auto view, in_.Peek(1));
    if (view.empty() || !IsSpace(view[0])) break;
    if (view[0] == '\n') ++line_no_;
    in_.Consume(1);
  }
  TRESOR_ASSIGN_OR_RETURN(std::string_view line, in_.ReadLine(kMaxArmorLine, ErrorCode::kArmor));
  ++line_no_;
  bool had_eol = false;
  if (StripEol(line, had_eol) != kArmorBegin || !had_eol) {
    return ArmorError(line_no_, "expected \"" + std::string(kArmorBegin) + "\"");
  }
  state_ = State::kBody;
  return {};
}

Result<void> ArmorReader::ReadNextLine() {
  auto line_or = in_.ReadLine(kMaxArmorLine, ErrorCode::kArmor);
  ++line_no_;
  if (!line_or) return ArmorError(line_no_, "line is longer than 64 columns");
  bool had_eol = false;
  std::string_view text = StripEol(*line_or, had_eol);
  if (line_or->empty()) return ArmorError(line_no_, "missing end line");
  if (text == kArmorEnd) return ReadTrailer();
  if (!had_eol) return ArmorError(line_no_, "missing end line");
  if (saw_short_line_) return ArmorError(line_no_, "data after the final short line");
  if (text.empty()) return ArmorError(line_no_, "empty line");
  if (text.size() > kColumns) return ArmorError(line_no_, "line is longer than 64 columns");
  const size_t eq = text.find('=');
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsBase64Char(text[i]) && !(text[i] == '=' && i >= eq)) {
      return ArmorError(line_no_, "invalid character");
    }
  }
  // Padding ends the data, so a padded line must be the last one.
  saw_short_line_ = text.size() < kColumns || eq != std::string_view::npos;
  decoded_.clear();
  decoded_pos_ = 0;
  if (!DecodeBase64Padded(text, decoded_)) {
    return ArmorError(line_no_, "invalid or non-canonical base64");
  }
  return {};
}

Result<void> ArmorReader::ReadTrailer() {
  state_ = State::kDone;
  decoded_.clear();
  decoded_pos_ = 0;
  // Only whitespace may follow the end line.
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(auto view, in_.Peek(4096));
    if (view.empty()) return {};
    for (uint8_t c : view) {
      if (!IsSpace(c)) return ArmorError(line_no_, "data after the end line");
    }
    in_.Consume(view.size());
  }
}

Result<void> ArmorWriter::Write(std::span<const uint8_t> data) {
  pending_.insert(pending_.end(), data.begin(), data.end());
  if (pending_.size() >= 256 * kBytesPerLine) TRESOR_RETURN_IF_ERROR(Flush(false));
  return {};
}

Result<void> ArmorWriter::Finish() { return Flush(true); }

Result<void> ArmorWriter::Flush(bool final) {
  if (!begun_) {
    text_ += kArmorBegin;
    text_ += '\n';
    begun_ = true;
  }
  size_t pos = 0;
  for (; pending_.size() - pos >= kBytesPerLine; pos += kBytesPerLine) {
    text_ += EncodeBase64Padded({pending_.data() + pos, kBytesPerLine});
    text_ += '\n';
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(pos));
  if (final) {
    if (!pending_.empty()) {
      text_ += EncodeBase64Padded(pending_);
      text_ += '\n';
      pending_.clear();
    }
    text_ += kArmorEnd;
    text_ += '\n';
  }
  auto written = out_.Write({reinterpret_cast<const uint8_t*>(text_.data()), text_.size()});
  text_.clear();
  return written;
}

}  // namespace tresor::age
