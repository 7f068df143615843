#include "cli/json_tree.h"

#include "formats/document.h"

namespace tresor::cli {

Result<void> PutAtPath(nlohmann::json& tree, const std::string& path, std::string value) {
  TRESOR_ASSIGN_OR_RETURN(const std::vector<std::string> segments, formats::SplitPath(path));
  nlohmann::json* node = &tree;
  for (const std::string& segment : segments) {
    if (!node->is_object()) *node = nlohmann::json::object();
    node = &(*node)[segment];
  }
  *node = std::move(value);
  return {};
}

std::string PrintJsonTree(const nlohmann::json& tree) {
  return tree.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tresor::cli
