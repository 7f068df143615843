// KEY=VALUE arguments of the commands that write to the server.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::cli {

// KEY=VALUE pairs as a JSON object: VALUE as text, "-" from stdin, "@FILE"
// a file's content (both keep values off the command line, where other
// processes can see them); KEY:=JSON keeps a number, a list or true typed.
Result<nlohmann::json> ParsePairs(const std::vector<std::string>& pairs);

}  // namespace tresor::cli
