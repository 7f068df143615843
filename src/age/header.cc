#include "age/header.h"

#include "age/base64.h"

namespace tresor::age {
namespace {

// Longest header line we accept: a stanza line with many arguments. Body
// lines are at most 64 columns; this only bounds memory on hostile input.
constexpr size_t kMaxLineBytes = 16 * 1024;
// Bounds the whole header (many thousands of recipients fit).
constexpr size_t kMaxHeaderBytes = 4 * 1024 * 1024;
// age wraps stanza bodies at 64 columns.
constexpr size_t kBodyColumns = 64;

Error HeaderError(size_t line, const std::string& what) {
  return MakeError(ErrorCode::kHeader, "line " + std::to_string(line) + ": " + what);
}

bool IsVisibleAscii(char c) { return c >= 33 && c <= 126; }

// Splits "-> a b c" arguments; each must be non-empty visible ASCII.
Result<Stanza> ParseStanzaLine(std::string_view text, size_t line_no) {
  Stanza stanza;
  std::vector<std::string> fields;
  size_t pos = 0;
  while (true) {
    const size_t space = text.find(' ', pos);
    std::string_view field =
        text.substr(pos, space == std::string_view::npos ? text.npos : space - pos);
    if (field.empty()) return HeaderError(line_no, "empty argument in stanza line");
    for (char c : field) {
      if (!IsVisibleAscii(c)) return HeaderError(line_no, "invalid character in stanza line");
    }
    fields.emplace_back(field);
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  stanza.type = std::move(fields[0]);
  stanza.args.assign(fields.begin() + 1, fields.end());
  return stanza;
}

// Reads body lines through `next` (each without its newline) into
// stanza.body, up to the first line shorter than 64 columns.
template <typename NextText>
Result<void> ReadStanzaBody(Stanza& stanza, const size_t& line_no, NextText next) {
  std::string encoded;
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(std::string_view text, next());
    if (text.starts_with("-> ") || text.starts_with("---")) {
      return HeaderError(line_no, "stanza body must end with a line shorter than 64 columns");
    }
    if (text.size() > kBodyColumns) {
      return HeaderError(line_no, "stanza body line is longer than 64 columns");
    }
    for (char c : text) {
      if (!IsBase64Char(c)) return HeaderError(line_no, "invalid character in stanza body");
    }
    encoded.append(text);
    if (text.size() < kBodyColumns) break;
  }
  if (!DecodeBase64Unpadded(encoded, stanza.body)) {
    return HeaderError(line_no, "stanza body is not canonical base64");
  }
  return {};
}

class HeaderParser {
 public:
  explicit HeaderParser(Reader& in) : in_(in) {}

  Result<Header> Parse() {
    TRESOR_ASSIGN_OR_RETURN(std::string_view intro, NextLine());
    if (intro.empty()) return MakeError(ErrorCode::kHeader, "file is empty");
    if (intro != std::string(kIntroLine) + "\n") {
      if (intro.starts_with("age-encryption.org/")) {
        return HeaderError(line_no_, "unsupported age format version");
      }
      return HeaderError(line_no_, "not an age file (bad intro line)");
    }
    while (true) {
      TRESOR_ASSIGN_OR_RETURN(std::string_view line, NextLine());
      TRESOR_ASSIGN_OR_RETURN(std::string_view text, StripNewline(line));
      if (text.starts_with("-> ")) {
        TRESOR_ASSIGN_OR_RETURN(Stanza stanza, ParseStanzaLine(text.substr(3), line_no_));
        TRESOR_RETURN_IF_ERROR(ReadBody(stanza));
        header_.stanzas.push_back(std::move(stanza));
      } else if (text.starts_with("---")) {
        return ParseMacLine(text);
      } else {
        return HeaderError(line_no_, "expected a stanza (\"-> \") or the MAC line (\"--- \")");
      }
    }
  }

 private:
  Result<std::string_view> NextLine() {
    TRESOR_ASSIGN_OR_RETURN(std::string_view line, in_.ReadLine(kMaxLineBytes, ErrorCode::kHeader));
    ++line_no_;
    consumed_ += line.size();
    if (consumed_ > kMaxHeaderBytes) return HeaderError(line_no_, "header is too large");
    raw_.append(line);
    return line;
  }

  Result<std::string_view> StripNewline(std::string_view line) {
    if (line.empty()) return HeaderError(line_no_, "file ends inside the header");
    if (line.back() != '\n') return HeaderError(line_no_, "file ends inside the header");
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') {
      return HeaderError(line_no_, "header lines must end in LF, not CRLF");
    }
    return line;
  }

  Result<void> ReadBody(Stanza& stanza) {
    return ReadStanzaBody(stanza, line_no_, [this]() -> Result<std::string_view> {
      TRESOR_ASSIGN_OR_RETURN(std::string_view line, NextLine());
      return StripNewline(line);
    });
  }

  Result<Header> ParseMacLine(std::string_view text) {
    if (header_.stanzas.empty()) return HeaderError(line_no_, "header has no recipient stanzas");
    // The MAC covers everything up to and including "---".
    header_.mac_input = raw_.substr(0, raw_.size() - (text.size() + 1) + 3);
    if (!text.starts_with("--- ")) return HeaderError(line_no_, "malformed MAC line");
    std::vector<uint8_t> mac;
    std::string_view encoded = text.substr(4);
    if (!DecodeBase64Unpadded(encoded, mac) || mac.size() != header_.mac.size() ||
        encoded.size() != 43) {
      return HeaderError(line_no_, "header MAC is not 32 bytes of canonical base64");
    }
    std::copy(mac.begin(), mac.end(), header_.mac.begin());
    return std::move(header_);
  }

  Reader& in_;
  Header header_;
  std::string raw_;
  size_t line_no_ = 0;
  size_t consumed_ = 0;
};

}  // namespace

Result<Header> ReadHeader(Reader& in) { return HeaderParser(in).Parse(); }

std::string EncodeStanza(const Stanza& s) {
  std::string out = "-> " + s.type;
  for (const std::string& arg : s.args) out += " " + arg;
  out += '\n';
  const std::string body = EncodeBase64Unpadded(s.body);
  size_t pos = 0;
  for (; body.size() - pos >= kBodyColumns; pos += kBodyColumns) {
    out.append(body, pos, kBodyColumns);
    out += '\n';
  }
  out.append(body, pos);  // the final short (maybe empty) line
  out += '\n';
  return out;
}

Result<Stanza> ReadStanza(const std::function<Result<std::string>()>& next_line, size_t* line_no) {
  std::string current;
  auto next = [&]() -> Result<std::string_view> {
    TRESOR_ASSIGN_OR_RETURN(current, next_line());
    ++*line_no;
    if (current.empty() || current.back() != '\n') {
      return HeaderError(*line_no, "the stream ends inside a stanza");
    }
    return std::string_view(current).substr(0, current.size() - 1);
  };
  TRESOR_ASSIGN_OR_RETURN(std::string_view first, next());
  if (!first.starts_with("-> ")) return HeaderError(*line_no, "expected a stanza (\"-> \")");
  TRESOR_ASSIGN_OR_RETURN(Stanza stanza, ParseStanzaLine(first.substr(3), *line_no));
  TRESOR_RETURN_IF_ERROR(ReadStanzaBody(stanza, *line_no, next));
  return stanza;
}

std::string EncodeHeaderForMac(const std::vector<Stanza>& stanzas) {
  std::string out(kIntroLine);
  out += '\n';
  for (const Stanza& s : stanzas) out += EncodeStanza(s);
  out += "---";
  return out;
}

crypto::Digest HeaderMac(const crypto::SecretBytes& file_key, std::string_view mac_input) {
  crypto::SecretBytes mac_key = crypto::HkdfSha256(file_key.Reveal(), {}, "header", 32);
  return crypto::HmacSha256(mac_key.Reveal(), crypto::AsBytes(mac_input));
}

}  // namespace tresor::age
