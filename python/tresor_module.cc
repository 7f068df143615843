// _tresor: the native half of the Python package `tresor` (python/tresor/),
// over tresor::Config. Errors raise tresor.Error(code, message), with the
// CLI's exit codes as codes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cli/exit_codes.h"
#include "formats/document.h"
#include "runtime/config.h"

namespace py = pybind11;

namespace {

// The server for $store: (address, token, ca_file), "" for the CLI's defaults.
using Server = std::tuple<std::string, std::string, std::string>;

// `path`, or when `text` is given that text under the name `path`, as INI.
tresor::Config Open(const std::string& path, const std::vector<std::string>& identity_files,
                    const std::string& key, const std::string& secrets_file,
                    const std::map<std::string, std::string>& properties, const Server& server,
                    const std::optional<std::string>& text = std::nullopt) {
  tresor::ConfigOptions options;
  std::tie(options.server.address, options.server.token, options.server.ca_file) = server;
  options.identity_files = identity_files;
  options.key_name = key;
  options.secrets_file = secrets_file;
  options.properties.insert(properties.begin(), properties.end());
  if (text) options.format = "ini";
  auto config =
      text ? tresor::Config::OpenText(*text, path, options) : tresor::Config::Open(path, options);
  if (!config) {
    py::object error = py::module_::import("tresor").attr("Error");
    PyErr_SetObject(error.ptr(), py::make_tuple(tresor::cli::ExitCodeFor(config.error().code),
                                                config.error().message)
                                     .ptr());
    throw py::error_already_set();
  }
  return std::move(*config);
}

// Each value as (keys, value, type): keys are the path's segments, an array
// index as an int.
py::list Entries(const tresor::Config& config) {
  py::list out;
  for (const tresor::ConfigEntry& entry : config.entries()) {
    auto segments = tresor::formats::SplitPath(entry.path);
    py::list keys;
    for (const std::string& s : segments ? *segments : std::vector<std::string>{entry.path}) {
      if (s.starts_with('[')) {
        keys.append(std::stoll(s.substr(1, s.size() - 2)));
      } else {
        keys.append(s);
      }
    }
    out.append(py::make_tuple(keys, entry.value, tresor::formats::ValueTypeName(entry.type)));
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_tresor, m) {
  m.doc() = "native half of the tresor package";
  m.def(
      "render",
      [](const std::string& path, const std::vector<std::string>& identity_files,
         const std::string& key, const std::string& secrets_file,
         const std::map<std::string, std::string>& properties, const Server& server) {
        return Open(path, identity_files, key, secrets_file, properties, server).Render();
      },
      "The file unsealed, references resolved");
  m.def(
      "render_text",
      [](const std::string& text, const std::string& name,
         const std::vector<std::string>& identity_files, const std::string& key,
         const std::string& secrets_file, const std::map<std::string, std::string>& properties,
         const Server& server) {
        return Open(name, identity_files, key, secrets_file, properties, server, text).Render();
      },
      "INI text unsealed (its name for messages), references resolved");
  m.def(
      "entries",
      [](const std::string& path, const std::vector<std::string>& identity_files,
         const std::string& key, const std::string& secrets_file,
         const std::map<std::string, std::string>& properties, const Server& server) {
        return Entries(Open(path, identity_files, key, secrets_file, properties, server));
      },
      "(keys, value, type) of every value");
}
