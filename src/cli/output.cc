#include "cli/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "formats/document.h"

namespace tresor::cli {

Result<Output> Output::Open(const std::string& path, const OutputPolicy& policy) {
  Output out;
  if (path.empty() || path == "-") return out;
  TRESOR_ASSIGN_OR_RETURN(out.file_, AtomicOutput::Create(path, policy));
  return out;
}

bool Output::IsTerminal() const { return !file_ && ::isatty(STDOUT_FILENO) == 1; }

unsigned PublicFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666u & ~static_cast<unsigned>(mask);
}

OutputPolicy PublicOutput() { return OutputPolicy{.mode = PublicFileMode()}; }

Result<OutputPolicy> PlaintextOutput(const std::string& mode) {
  OutputPolicy policy{.mode = 0600, .plaintext = true};
  if (mode.empty()) return policy;
  unsigned parsed = 0;
  bool ok = mode.size() <= 4;
  for (char c : mode) {
    ok = ok && c >= '0' && c <= '7';
    parsed = parsed * 8 + static_cast<unsigned>(c - '0');
  }
  if (!ok || parsed > 0777) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--mode " + mode + ": not a file mode in octal (such as 0600 or 640)");
  }
  policy.mode = parsed;
  return policy;
}

void PrintJsonRows(const std::vector<std::vector<std::pair<const char*, std::string>>>& rows) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    out.append(i ? ",{" : "{");
    for (size_t j = 0; j < rows[i].size(); ++j) {
      const auto& [key, value] = rows[i][j];
      out.append(j ? "," : "").append(formats::EscapedString(key)).append(":");
      const bool literal = value == "true" || value == "false";
      out.append(literal ? value : formats::EscapedString(value));
    }
    out.append("}");
  }
  out.append("]\n");
  std::fputs(out.c_str(), stdout);
}

}  // namespace tresor::cli
