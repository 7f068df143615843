// Helpers the SealedFile sources share: spans of a text, and splicing
// replacements into it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/document.h"
#include "sealed/codec.h"

namespace tresor::sealed {

struct Edit {
  formats::Span span;
  std::string replacement;
};

// `text` with non-overlapping `edits` applied.
std::string Splice(std::string_view text, std::vector<Edit> edits);

inline std::string_view Text(const std::string& text, formats::Span span) {
  return std::string_view(text).substr(span.begin, span.end - span.begin);
}

// The token in a value's literal, if it holds one: the literal itself, or
// its inside when quoted (tokens hold no characters that need escaping).
inline std::optional<std::string_view> TokenOf(std::string_view literal) {
  if (literal.size() >= 2 && literal.front() == '"' && literal.back() == '"') {
    literal = literal.substr(1, literal.size() - 2);
  }
  if (!LooksLikeToken(literal)) return std::nullopt;
  return literal;
}

}  // namespace tresor::sealed
