// tresor inspect: what a sealed file's header says, with no key: its
// groups, their recipients, how many values each seals, and each group's
// write counter, which a copy of the file from before a later write shows
// lower (docs/format.md).
#include <cstdio>
#include <initializer_list>
#include <map>
#include <string_view>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/sealed_file_io.h"
#include "formats/document.h"
#include "sealed/codec.h"
#include "sealed/text_edits.h"

namespace tresor::cli {
namespace {

struct GroupCount {
  size_t values = 0;
  size_t unadopted = 0;  // added with set --public
};

}  // namespace

Result<void> RunInspect(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  std::map<std::string, GroupCount> counts;
  for (const formats::Value& v : file.document().values) {
    const std::string decoded = file.format().Decode(sealed::Text(file.text(), v.literal), v.type);
    if (const auto peek = sealed::PeekToken(decoded)) {
      GroupCount& count = counts[std::string(peek->group)];
      ++count.values;
      if (peek->is_public) ++count.unadopted;
    }
  }
  const auto groups = file.header_groups();
  std::string out;
  // Appended piece by piece (GCC 12 warns falsely on long + chains).
  auto add = [&out](std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts) out.append(p);
  };
  if (options.json) {
    add({"{\"file\":", formats::EscapedString(options.file), ",\"format\":\"", file.format().name(),
         "\",\"sealed\":", file.has_header() ? "true" : "false", ",\"groups\":["});
    for (size_t i = 0; i < groups.size(); ++i) {
      const sealed::HeaderGroup& g = groups[i];
      const GroupCount& count = counts[g.name];
      add({i > 0 ? "," : "", "{\"name\":\"", g.name, "\",\"version\":", std::to_string(g.version),
           ",\"values\":", std::to_string(count.values),
           ",\"unadopted\":", std::to_string(count.unadopted), ",\"recipients\":["});
      for (size_t r = 0; r < g.recipients.size(); ++r) {
        add({r > 0 ? ",\"" : "\"", g.recipients[r], "\""});
      }
      add({"]}"});
    }
    add({"]}\n"});
  } else if (!file.has_header()) {
    add({options.file, ": ", file.format().name(), ", not sealed (no tresor header)\n"});
  } else {
    add({options.file, ": ", file.format().name(), ", sealed, ", std::to_string(groups.size()),
         groups.size() == 1 ? " group\n" : " groups\n"});
    for (const sealed::HeaderGroup& g : groups) {
      const GroupCount& count = counts[g.name];
      add({"group ", g.name, ": version ",
           g.version > 0 ? std::to_string(g.version) : "0 (from before counting)", ", ",
           std::to_string(count.values), count.values == 1 ? " value" : " values"});
      if (count.unadopted > 0) {
        add({" (", std::to_string(count.unadopted), " added with set --public, not adopted)"});
      }
      add({"; recipients ", Join(g.recipients, ", "), "\n"});
    }
  }
  std::fputs(out.c_str(), stdout);
  return {};
}

}  // namespace tresor::cli
