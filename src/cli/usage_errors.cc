#include "cli/usage_errors.h"

#include <algorithm>

namespace tresor::cli {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of neighbours each cost 1.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands({})) out.push_back(sub->get_name());
  return out;
}

const CLI::App* Subcommand(const CLI::App& app, std::string_view name) {
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) out.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) out.push_back("-" + s);
  }
  return out;
}

const CLI::Option* FindOption(const CLI::App& app, const std::string& flag) {
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) {
      if (flag == "--" + l) return opt;
    }
    for (const std::string& s : opt->get_snames()) {
      if (flag == "-" + s) return opt;
    }
  }
  return nullptr;
}

// "unknown command 'x'" for tresor itself, "... for 'tresor kv'" below it,
// then the nearest name or where to look.
std::string Unknown(const char* what, std::string_view typed, const std::string& where,
                    const std::vector<std::string>& known) {
  std::string out = std::string("unknown ") + what + " '" + std::string(typed) + "'";
  if (where != "tresor") out += " for '" + where + "'";
  const std::string nearest = Nearest(typed, known);
  return out +
         (nearest.empty() ? " (see " + where + " --help)" : "; did you mean '" + nearest + "'?");
}

}  // namespace

std::string Nearest(std::string_view typed, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, typed.size() / 3) + 1;
  for (const std::string& k : known) {
    const size_t d = Distance(typed, k);
    if (d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

std::string DescribeParseError(const CLI::App& app, int argc, char** argv,
                               const CLI::ParseError& error) {
  const CLI::App* at = &app;
  std::string where = "tresor";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      // A short option may carry its value ("-ofile"); only its letter counts.
      const std::string flag = arg.substr(0, arg.starts_with("--") ? arg.find('=') : 2);
      const CLI::Option* opt = FindOption(*at, flag);
      if (opt == nullptr) opt = FindOption(app, flag);  // --help, --version
      if (opt == nullptr) {
        return Unknown("option", flag, where, OptionNames(*at));
      }
      const bool takes_value = opt->get_type_size_max() > 0;
      if (takes_value && arg.find('=') == std::string::npos &&
          (arg.starts_with("--") || arg.size() == 2)) {
        ++i;  // its value
      }
      continue;
    }
    if (const CLI::App* sub = Subcommand(*at, arg)) {
      at = sub;
      where += " " + arg;
      continue;
    }
    if (at->get_require_subcommand_min() > 0) {
      return Unknown("command", arg, where, CommandNames(*at));
    }
  }
  if (at->get_require_subcommand_min() > 0 && !at->get_subcommands({}).empty()) {
    std::string names;
    for (const std::string& n : CommandNames(*at)) names += (names.empty() ? "" : ", ") + n;
    return "'" + where + "' needs a command: " + names + " (see " + where + " --help)";
  }
  return std::string(error.what()) + " (see " + where + " --help)";
}

}  // namespace tresor::cli
