#include "ansible/vaulted_file.h"

#include <algorithm>

#include "ansible/vault.h"

namespace tresor::ansible {

Result<OpenedFile> OpenVaultedFile(const formats::Format* format, std::string_view text,
                                   std::span<const uint8_t> password) {
  OpenedFile out;
  if (LooksVaulted(text)) {
    TRESOR_ASSIGN_OR_RETURN(const VaultText vault, ParseVault(text));
    TRESOR_ASSIGN_OR_RETURN(const crypto::SecretBytes plain, OpenVault(vault, password));
    out.plaintext.assign(reinterpret_cast<const char*>(plain.Reveal().data()), plain.size());
    out.whole = true;
    return out;
  }
  if (format == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a whole-file vault, and no format to look for inline vaults in "
                     "(give --format)");
  }
  TRESOR_ASSIGN_OR_RETURN(const formats::Document doc, format->Parse(text));
  size_t at = 0;
  for (const formats::Value& v : doc.values) {
    const std::string_view literal = text.substr(v.literal.begin, v.literal.end - v.literal.begin);
    const std::string decoded = format->Decode(literal, v.type);
    if (!LooksVaulted(decoded)) continue;
    auto opened = ParseVault(decoded);
    auto plain =
        opened ? OpenVault(*opened, password) : Result<crypto::SecretBytes>(opened.error());
    if (!plain) return formats::ValueError(plain.error().code, text, v, plain.error().message);
    const std::string value(reinterpret_cast<const char*>(plain->Reveal().data()), plain->size());
    out.plaintext.append(text.substr(at, v.literal.begin - at)).append(format->Encode(value));
    at = v.literal.end;
    out.vaulted.push_back(v.path);
  }
  if (out.vaulted.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no ansible vault in it (neither a whole-file vault nor !vault values)");
  }
  out.plaintext.append(text.substr(at));
  return out;
}

}  // namespace tresor::ansible
