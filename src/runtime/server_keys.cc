#include "runtime/server_keys.h"

#include <algorithm>
#include <cctype>

#include "age/base64.h"
#include "client/session.h"

namespace tresor::runtime {
namespace {

constexpr std::string_view kDefaultMount = "transit";

std::string Base64(std::span<const uint8_t> bytes) { return age::EncodeBase64Padded(bytes); }

// The names the server's transit engine takes for keys.
bool KeyNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

void WipeString(std::string& s) { crypto::Wipe({reinterpret_cast<uint8_t*>(s.data()), s.size()}); }

}  // namespace

bool IsServerKeyName(std::string_view recipient) { return recipient.starts_with(kServerKeyPrefix); }

Result<ServerKeyRecipient> ServerKeyRecipient::Parse(std::string_view name, ServerOptions server) {
  if (!IsServerKeyName(name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": not a server key (tresor:NAME)");
  }
  std::string_view rest = name.substr(kServerKeyPrefix.size());
  std::string mount(kDefaultMount);
  if (const size_t slash = rest.rfind('/'); slash != std::string_view::npos) {
    mount = std::string(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  const std::string key(rest);
  const bool valid_key = !key.empty() && key.size() <= 128 && key != "." && key != ".." &&
                         std::all_of(key.begin(), key.end(), KeyNameChar);
  if (!valid_key || mount.empty() || mount.front() == '/' ||
      mount.find("//") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) +
                         ": a server key is tresor:NAME or tresor:MOUNT/NAME (NAME: letters, "
                         "digits, - _ .)");
  }
  return ServerKeyRecipient(std::move(mount), key, std::move(server));
}

std::string ServerKeyRecipient::Name() const {
  return std::string(kServerKeyPrefix) + (mount_ == kDefaultMount ? "" : mount_ + "/") + key_;
}

Result<std::vector<age::Stanza>> ServerKeyRecipient::Wrap(
    const crypto::SecretBytes& file_key) const {
  auto session = OpenServerSession(server_);
  if (!session) return WithPlace(Name(), std::move(session).error());
  client::Json body{{"plaintext", Base64(file_key.Reveal())}};
  auto answer = client::CallServer(session->address, "POST", mount_ + "/encrypt/" + key_, body,
                                   session->token, session->ca_file);
  WipeString(body["plaintext"].get_ref<std::string&>());
  if (!answer) return WithPlace(Name(), std::move(answer).error());
  const client::Json* ciphertext = answer->contains("data") ? &(*answer)["data"] : nullptr;
  if (ciphertext == nullptr || !ciphertext->contains("ciphertext") ||
      !(*ciphertext)["ciphertext"].is_string()) {
    return MakeError(ErrorCode::kIo, Name() + ": the server's answer has no ciphertext");
  }
  const std::string text = (*ciphertext)["ciphertext"].get<std::string>();
  return std::vector<age::Stanza>{
      {std::string(kServerKeyStanza), {mount_, key_}, {text.begin(), text.end()}}};
}

Result<std::optional<crypto::SecretBytes>> ServerKeyIdentity::Unwrap(
    std::span<const age::Stanza> stanzas) const {
  for (const age::Stanza& stanza : stanzas) {
    if (stanza.type != kServerKeyStanza) continue;
    if (stanza.args.size() != 2) {
      return MakeError(ErrorCode::kHeader, "a tresor stanza has two arguments (mount and key)");
    }
    const std::string& mount = stanza.args[0];
    const std::string& key = stanza.args[1];
    const std::string name =
        std::string(kServerKeyPrefix) + (mount == kDefaultMount ? "" : mount + "/") + key;
    if (!session_) {
      auto opened = OpenServerSession(server_);
      if (!opened) {
        reasons_.push_back(name + ": " + opened.error().message);
        return std::optional<crypto::SecretBytes>();
      }
      session_ = std::move(*opened);
    }
    const client::Json body{{"ciphertext", std::string(stanza.body.begin(), stanza.body.end())}};
    auto answer = client::CallServer(session_->address, "POST", mount + "/decrypt/" + key, body,
                                     session_->token, session_->ca_file);
    if (!answer) {
      reasons_.push_back(name + ": " + answer.error().message);
      continue;
    }
    client::Json* plaintext = answer->contains("data") ? &(*answer)["data"] : nullptr;
    if (plaintext == nullptr || !plaintext->contains("plaintext") ||
        !(*plaintext)["plaintext"].is_string()) {
      reasons_.push_back(name + ": the server's answer has no plaintext");
      continue;
    }
    std::string& encoded = (*plaintext)["plaintext"].get_ref<std::string&>();
    std::vector<uint8_t> bytes;
    const bool decoded = age::DecodeBase64Padded(encoded, bytes);
    WipeString(encoded);
    if (!decoded) {
      reasons_.push_back(name + ": the server's plaintext is not base64");
      continue;
    }
    crypto::SecretBytes file_key = crypto::SecretBytes::CopyOf(bytes);
    crypto::Wipe(bytes);
    return std::optional<crypto::SecretBytes>(std::move(file_key));
  }
  return std::optional<crypto::SecretBytes>();
}

bool NeedsServerKeys(const sealed::SealedFile& file) {
  for (const sealed::HeaderGroup& group : file.header_groups()) {
    for (const std::string& r : group.recipients) {
      if (IsServerKeyName(r)) return true;
    }
  }
  return false;
}

Error WithServerReasons(Error error, const ServerKeyIdentity& server) {
  if (error.code != ErrorCode::kNoMatch || server.reasons().empty()) return error;
  error.message += "; the server did not open it (";
  for (size_t i = 0; i < server.reasons().size(); ++i) {
    error.message += (i == 0 ? "" : "; ") + server.reasons()[i];
  }
  error.message += ")";
  return error;
}

}  // namespace tresor::runtime
