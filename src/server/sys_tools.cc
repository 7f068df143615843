// sys/capabilities, sys/capabilities-self, sys/capabilities-accessor (what
// a token may do at given paths), and sys/tools/random and sys/tools/hash;
// Vault's shapes.
#include <charconv>

#include "age/base64.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "server/core.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/tools.h"

namespace tresor::server {
namespace {

// Vault's limit on sys/tools/random.
constexpr int64_t kMaxRandomBytes = 128 * 1024;

std::string Text(const Json& body, const char* name) { return TextSetting(body, name); }

// "hex" or "base64" (the default) of `bytes`; nullopt for another format.
std::optional<std::string> Format(std::span<const uint8_t> bytes, const std::string& format,
                                  const char* default_format) {
  const std::string f = format.empty() ? default_format : format;
  if (f == "hex") return crypto::HexEncode(bytes);
  if (f == "base64") return age::EncodeBase64Padded(bytes);
  return std::nullopt;
}

}  // namespace

http::Response Core::Capabilities(const http::Request& request, const std::string& path,
                                  const Json& body, const Caller& caller) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  std::vector<std::string> paths;
  const Json& given = body.contains("paths") ? body["paths"] : body.value("path", Json());
  if (given.is_string()) paths.push_back(given.get<std::string>());
  if (given.is_array()) {
    for (const Json& p : given) {
      if (!p.is_string()) return Error(400, "paths: expected strings");
      paths.push_back(p.get<std::string>());
    }
  }
  if (paths.empty()) return Error(400, "paths: missing");
  std::optional<std::pair<std::string, TokenInfo>> whose;
  if (path == "sys/capabilities-accessor") {
    const std::string accessor = Text(body, "accessor");
    if (accessor.empty()) return Error(400, "accessor: missing");
    whose = tokens_.LookupAccessor(accessor);
  } else if (const std::string token = Text(body, "token"); !token.empty()) {
    whose = tokens_.Lookup(token);
  } else if (path == "sys/capabilities-self") {
    whose = std::pair{caller.key, caller.info};
  } else {
    return Error(400, "token: missing");
  }
  if (!whose) return Error(400, "invalid token");
  const bool root = IsRoot(whose->second.policies);
  const auto acl = policies_.AclFor(whose->second.policies);
  Json data = Json::object();
  Json last;
  for (std::string p : paths) {
    while (p.starts_with('/')) p.erase(0, 1);
    std::vector<std::string> names{"root"};
    if (!root) names = acl::CapabilityNames(acl->Capabilities(p));
    if (names.empty()) names = {"deny"};
    last = names;
    data[p] = std::move(names);
  }
  data["capabilities"] = last;  // Vault's older single-path shape
  return EnvelopeAndTop(data);
}

http::Response Tools(const http::Request& request, const std::string& path, const Json& body) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  std::vector<std::string> parts;  // after sys/tools/random or sys/tools/hash
  const std::string tool = path.starts_with("sys/tools/random") ? "random" : "hash";
  for (size_t at = std::string("sys/tools/").size() + tool.size(); at < path.size();) {
    if (path[at] != '/') return Error(404, "no handler for route \"" + path + "\"");
    const size_t next = path.find('/', at + 1);
    parts.push_back(path.substr(at + 1, next - at - 1));
    at = next;
  }
  if (tool == "random") {
    // sys/tools/random[/SOURCE][/BYTES]; the source is always the system's.
    int64_t bytes = body.contains("bytes") && body["bytes"].is_number_integer()
                        ? body["bytes"].get<int64_t>()
                        : 32;
    for (const std::string& part : parts) {
      if (part == "all" || part == "platform") continue;
      int64_t n = 0;
      if (std::from_chars(part.data(), part.data() + part.size(), n).ptr !=
          part.data() + part.size()) {
        return Error(400, "unsupported random source or byte count \"" + part + "\"");
      }
      bytes = n;
    }
    if (bytes < 1 || bytes > kMaxRandomBytes) {
      return Error(400, "bytes: between 1 and " + std::to_string(kMaxRandomBytes));
    }
    const auto random = crypto::RandomSecret(static_cast<size_t>(bytes));
    auto text = Format(random.Reveal(), Text(body, "format"), "base64");
    if (!text) return Error(400, "format: \"hex\" or \"base64\"");
    return Envelope(200, Json{{"random_bytes", *text}});
  }
  // sys/tools/hash[/ALGORITHM]: the input is base64.
  if (parts.size() > 1) return Error(404, "no handler for route \"" + path + "\"");
  std::string algorithm = parts.empty() ? Text(body, "algorithm") : parts.front();
  if (algorithm.empty()) algorithm = "sha2-256";
  std::vector<uint8_t> input;
  if (!body.contains("input") || !body["input"].is_string() ||
      !age::DecodeBase64Padded(body["input"].get<std::string>(), input)) {
    return Error(400, "input: expected base64");
  }
  std::vector<uint8_t> sum;
  if (algorithm == "sha2-256") {
    const auto digest = crypto::Sha256(input);
    sum.assign(digest.begin(), digest.end());
  } else if (algorithm == "sha2-512") {
    const auto digest = crypto::Sha512(input);
    sum.assign(digest.begin(), digest.end());
  } else {
    return Error(400, "unsupported algorithm \"" + algorithm + "\" (sha2-256, sha2-512)");
  }
  auto text = Format(sum, Text(body, "format"), "hex");
  if (!text) return Error(400, "format: \"hex\" or \"base64\"");
  return Envelope(200, Json{{"sum", *text}});
}

}  // namespace tresor::server
