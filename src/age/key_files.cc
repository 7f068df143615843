#include "age/key_files.h"

#include <cstring>

#include "age/armor.h"
#include "age/header.h"
#include "age/plugin.h"
#include "crypto/kdf.h"

namespace tresor::age {
namespace {

// Calls fn(line_number, line) for each line that is neither blank nor a comment.
template <typename Fn>
Result<void> ForEachKeyLine(std::string_view text, Fn fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    TRESOR_RETURN_IF_ERROR(fn(line_no, line));
  }
  return {};
}

}  // namespace

bool IsEncryptedKeyFile(std::span<const uint8_t> content) {
  std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  return text.starts_with(std::string(kIntroLine) + "\n") || LooksArmored(content);
}

Result<std::vector<X25519Identity>> ParseIdentityFile(std::span<const uint8_t> content,
                                                      std::vector<std::string>* plugins) {
  std::vector<X25519Identity> out;
  std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  TRESOR_RETURN_IF_ERROR(ForEachKeyLine(text, [&](size_t n, std::string_view line) -> Result<void> {
    if (plugins != nullptr && line.starts_with("AGE-PLUGIN-")) {
      plugins->emplace_back(line);
      return {};
    }
    auto id = X25519Identity::Parse(line);
    if (!id) {
      const bool pq = line.starts_with("AGE-SECRET-KEY-PQ-");
      return MakeError(ErrorCode::kInvalidArgument,
                       "line " + std::to_string(n) +
                           (pq ? ": post-quantum identities are not supported"
                               : ": not an age identity (expected AGE-SECRET-KEY-1...)"));
    }
    out.push_back(std::move(*id));
    return {};
  }));
  if (out.empty() && (plugins == nullptr || plugins->empty())) {
    return MakeError(ErrorCode::kInvalidArgument, "no identities found");
  }
  return out;
}

Result<std::vector<std::unique_ptr<Recipient>>> ParseRecipientsFile(std::string_view content) {
  std::vector<std::unique_ptr<Recipient>> out;
  TRESOR_RETURN_IF_ERROR(
      ForEachKeyLine(content, [&](size_t n, std::string_view line) -> Result<void> {
        if (PluginRecipientName(line)) {
          auto r = PluginRecipient::Parse(line);
          if (!r) return WithPlace("line " + std::to_string(n), r.error());
          out.push_back(std::make_unique<PluginRecipient>(std::move(*r)));
          return {};
        }
        auto r = X25519Recipient::Parse(line);
        if (!r) return WithPlace("line " + std::to_string(n), r.error());
        out.push_back(std::make_unique<X25519Recipient>(*r));
        return {};
      }));
  if (out.empty()) return MakeError(ErrorCode::kInvalidArgument, "no recipients found");
  return out;
}

crypto::SecretBytes FormatIdentityFile(const X25519Identity& identity, std::time_t created) {
  char stamp[32];
  std::tm tm{};
  gmtime_r(&created, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const std::string head = std::string("# created: ") + stamp +
                           "\n# public key: " + identity.ToRecipient().String() + "\n";
  crypto::SecretBytes key = identity.Encode();
  crypto::SecretBytes out(head.size() + key.size() + 1);
  auto dst = out.Mutable();
  std::memcpy(dst.data(), head.data(), head.size());
  std::memcpy(dst.data() + head.size(), key.Reveal().data(), key.size());
  dst[dst.size() - 1] = '\n';
  return out;
}

}  // namespace tresor::age
