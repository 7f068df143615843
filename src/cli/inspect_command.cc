// tresor inspect: what a sealed file's header says, with no key: its
// groups, their recipients, which values each seals, the values left in
// plaintext, and each group's write counter, which a copy of the file from
// before a later write shows lower (docs/format.md). MACs need the group's
// key: `tresor get` or `unseal` checks them.
#include <cstdio>
#include <initializer_list>
#include <map>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/sealed_file_io.h"
#include "formats/document.h"
#include "sealed/codec.h"
#include "sealed/text_edits.h"

namespace tresor::cli {
namespace {

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out.append(i > 0 ? "," : "").append(formats::EscapedString(items[i]));
  }
  return out + "]";
}

}  // namespace

Result<void> RunInspect(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  Census census = TakeCensus(file);
  const std::vector<std::string>& plaintext = census.plaintext;
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
      const Census::Group& count = census.groups[g.name];
      add({i > 0 ? "," : "", "{\"name\":\"", g.name, "\",\"version\":", std::to_string(g.version),
           ",\"values\":", std::to_string(count.paths.size()),
           ",\"unadopted\":", std::to_string(count.unadopted),
           ",\"recipients\":", JsonList(g.recipients), ",\"paths\":", JsonList(count.paths), "}"});
    }
    add({"],\"plaintext\":", JsonList(plaintext), "}\n"});
  } else if (!file.has_header()) {
    add({options.file, ": ", file.format().name(), ", not sealed (no tresor header)\n"});
  } else {
    add({options.file, ": ", file.format().name(), ", sealed, ", std::to_string(groups.size()),
         groups.size() == 1 ? " group\n" : " groups\n"});
    for (const sealed::HeaderGroup& g : groups) {
      const Census::Group& count = census.groups[g.name];
      add({"group ", g.name, ": version ",
           g.version > 0 ? std::to_string(g.version) : "0 (from before counting)", ", ",
           std::to_string(count.paths.size()), count.paths.size() == 1 ? " value" : " values"});
      if (count.unadopted > 0) {
        add({" (", std::to_string(count.unadopted), " added with set --public, not adopted)"});
      }
      add({"; recipients ", Join(g.recipients, ", "), "\n"});
      if (options.show_paths) {
        for (const std::string& path : count.paths) add({"  ", path, "\n"});
      }
    }
    if (options.show_paths) {
      add({"plaintext: ", std::to_string(plaintext.size()),
           plaintext.size() == 1 ? " value\n" : " values\n"});
      for (const std::string& path : plaintext) add({"  ", path, "\n"});
    }
  }
  std::fputs(out.c_str(), stdout);
  return {};
}

}  // namespace tresor::cli
