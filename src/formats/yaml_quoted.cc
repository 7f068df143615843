// Single-quoted YAML scalars, decoded without libfyaml (see yaml_parse.h).
#include "formats/text_scan.h"
#include "formats/yaml_parse.h"

namespace tresor::formats {

std::string SingleQuotedText(std::string_view literal) {
  std::string_view body = literal.substr(1, literal.size() >= 2 ? literal.size() - 2 : 0);
  std::string out;
  out.reserve(body.size());
  size_t breaks = 0;  // line breaks since the last content, folded when it resumes
  bool first_line = true;
  while (true) {
    const size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Blanks around a line break are not content; those at either end of
    // the scalar are.
    if (!first_line) line.remove_prefix(SkipBlanks(line, 0));
    if (nl != std::string_view::npos) line = line.substr(0, TrimBlanksBack(line, 0, line.size()));
    if (!line.empty() || nl == std::string_view::npos) {
      if (breaks == 1) out += ' ';
      if (breaks > 1) out.append(breaks - 1, '\n');
      breaks = 0;
      for (size_t i = 0; i < line.size(); ++i) {
        out += line[i];
        if (line[i] == '\'' && i + 1 < line.size() && line[i + 1] == '\'') ++i;
      }
    }
    if (nl == std::string_view::npos) break;
    ++breaks;
    first_line = false;
    body.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace tresor::formats
