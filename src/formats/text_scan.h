// Small helpers for the hand-written line-oriented parsers.
#pragma once

#include <cstddef>
#include <string_view>

#include "formats/document.h"

namespace tresor::formats {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

inline size_t SkipBlanks(std::string_view text, size_t p) {
  while (p < text.size() && IsBlank(text[p])) ++p;
  return p;
}

// The offset of the '\n' ending the line at p, or text.size().
inline size_t LineEnd(std::string_view text, size_t p) {
  const size_t nl = text.find('\n', p);
  return nl == std::string_view::npos ? text.size() : nl;
}

// Past the line ending at p (after '\n'), or text.size().
inline size_t NextLine(std::string_view text, size_t p) {
  const size_t end = LineEnd(text, p);
  return end == text.size() ? end : end + 1;
}

// The end of the line's content: before "\r\n" or "\n".
inline size_t ContentEnd(std::string_view text, size_t p) {
  size_t end = LineEnd(text, p);
  if (end > p && text[end - 1] == '\r') --end;
  return end;
}

// Moves `end` back over blanks, not before `begin`.
inline size_t TrimBlanksBack(std::string_view text, size_t begin, size_t end) {
  while (end > begin && IsBlank(text[end - 1])) --end;
  return end;
}

// The character a backslash escape letter stands for (a b f n r t v), or 0.
inline char ControlEscape(char letter) {
  switch (letter) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return 0;
  }
}

// Line-oriented formats take "\r\n" and "\n" line endings; a '\r' alone
// (old Mac endings, or a stray byte) is a line break to some readers and
// not to others, so it is refused rather than guessed at.
inline Result<void> RejectLoneCarriageReturns(std::string_view text) {
  for (size_t p = text.find('\r'); p != std::string_view::npos; p = text.find('\r', p + 1)) {
    if (p + 1 == text.size() || text[p + 1] != '\n') {
      return SyntaxError(text, p, "carriage return without a line feed");
    }
  }
  return {};
}

}  // namespace tresor::formats
