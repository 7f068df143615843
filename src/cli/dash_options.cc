#include "cli/dash_options.h"

#include <set>
#include <string_view>

namespace tresor::cli {
namespace {

void CollectLongNames(const CLI::App& app, std::set<std::string, std::less<>>* names) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names->insert(name);
  }
  for (const CLI::App* command : app.get_subcommands({})) CollectLongNames(*command, names);
}

}  // namespace

std::vector<std::string> WithDoubleDashes(const CLI::App& app, int argc, char** argv) {
  std::set<std::string, std::less<>> names;
  CollectLongNames(app, &names);
  std::vector<std::string> out(argv, argv + argc);
  for (size_t i = 1; i < out.size(); ++i) {
    const std::string_view arg = out[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') continue;
    const std::string_view name = arg.substr(1, arg.find('=') - 1);
    if (name.size() >= 2 && names.contains(name)) out[i].insert(0, "-");
  }
  return out;
}

}  // namespace tresor::cli
