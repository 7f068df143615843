// The transit seal: the root key encrypted by a transit key on another
// tresor or Vault server, through its HTTP API (POST MOUNT/encrypt/KEY,
// decrypt/KEY, rewrap/KEY), as Vault's "transit" seal does.
#include <cctype>

#include <nlohmann/json.hpp>

#include "age/base64.h"
#include "crypto/secret_file.h"
#include "http/client.h"
#include "server/seals/root_key_wrapper.h"
#include "server/seals/transit_answer.h"

namespace tresor::server {
namespace {

using Json = nlohmann::json;

// Text that holds the root key (base64) or the token, wiped when it goes.
class WipedText {
 public:
  explicit WipedText(std::string text) : text_(std::move(text)) {}
  ~WipedText() { crypto::Wipe({reinterpret_cast<uint8_t*>(text_.data()), text_.size()}); }
  WipedText(const WipedText&) = delete;
  WipedText& operator=(const WipedText&) = delete;
  std::string& text() { return text_; }

 private:
  std::string text_;
};

std::string Trimmed(std::span<const uint8_t> bytes) {
  std::string text(bytes.begin(), bytes.end());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

class TransitWrapper final : public RootKeyWrapper {
 public:
  explicit TransitWrapper(TransitSealSettings settings) : settings_(std::move(settings)) {
    while (settings_.mount_path.ends_with('/')) settings_.mount_path.pop_back();
    while (settings_.mount_path.starts_with('/')) settings_.mount_path.erase(0, 1);
  }

  const std::string& type() const override { return type_; }

  Result<store::Bytes> Wrap(const crypto::SecretBytes& root_key) override {
    // Built in place, so that no copy of the key is left unwiped here
    // (base64 needs no JSON escaping).
    WipedText encoded(age::EncodeBase64Padded(root_key.Reveal()));
    WipedText body{std::string()};
    body.text().reserve(encoded.text().size() + 20);
    body.text().append("{\"plaintext\":\"").append(encoded.text()).append("\"}");
    TRESOR_ASSIGN_OR_RETURN(std::string ciphertext, Ciphertext("encrypt", body.text()));
    return store::Bytes(ciphertext.begin(), ciphertext.end());
  }

  Result<crypto::SecretBytes> Unwrap(std::span<const uint8_t> wrapped) override {
    const std::string body =
        Json{{"ciphertext", std::string(wrapped.begin(), wrapped.end())}}.dump();
    TRESOR_ASSIGN_OR_RETURN(std::string field, Call("decrypt", body, "plaintext"));
    WipedText plaintext(std::move(field));
    std::vector<uint8_t> bytes;
    const bool decoded = age::DecodeBase64Padded(plaintext.text(), bytes);
    auto root_key = crypto::SecretBytes::CopyOf(bytes);
    crypto::Wipe(bytes);
    if (!decoded || root_key.size() != kRootKeySize) {
      return MakeError(ErrorCode::kIntegrity,
                       Where("decrypt") + ": the decrypted root key has the wrong size");
    }
    return root_key;
  }

  Result<std::optional<store::Bytes>> Rewrap(std::span<const uint8_t> wrapped) override {
    const std::string old(wrapped.begin(), wrapped.end());
    TRESOR_ASSIGN_OR_RETURN(std::string ciphertext,
                            Ciphertext("rewrap", Json{{"ciphertext", old}}.dump()));
    if (ciphertext == old) return std::optional<store::Bytes>();
    return std::optional<store::Bytes>(store::Bytes(ciphertext.begin(), ciphertext.end()));
  }

 private:
  std::string Path(const std::string& operation) const {
    return "/v1/" + settings_.mount_path + "/" + operation + "/" + settings_.key_name;
  }
  std::string Where(const std::string& operation) const {
    return "transit seal " + settings_.address + Path(operation);
  }

  Result<std::string> Ciphertext(const std::string& operation, const std::string& body) const {
    TRESOR_ASSIGN_OR_RETURN(std::string ciphertext, Call(operation, body, "ciphertext"));
    if (!ciphertext.starts_with("vault:v")) {
      return MakeError(ErrorCode::kIo,
                       Where(operation) + ": the answer is not a transit ciphertext");
    }
    return ciphertext;
  }

  // POSTs `body` and returns the answer's data.`field`. The token is read
  // from its file at each call, so that a replaced token is used at once.
  Result<std::string> Call(const std::string& operation, const std::string& body,
                           const char* field) const {
    auto token_bytes = crypto::ReadSecretFile(settings_.token_file, 4096);
    if (!token_bytes) return WithPlace(settings_.token_file, std::move(token_bytes).error());
    WipedText token(Trimmed(token_bytes->Reveal()));
    if (token.text().empty()) {
      return MakeError(ErrorCode::kInvalidArgument, settings_.token_file + ": empty");
    }
    http::FetchOptions options;
    options.ca_file = settings_.ca_file;
    options.timeout_seconds = 10;
    auto response = http::Fetch(
        settings_.address, "POST", Path(operation),
        {{"X-Vault-Token", token.text()}, {"Content-Type", "application/json"}}, body, options);
    if (!response) {
      // The client's errors start with the address, which Where names.
      ::tresor::Error error = std::move(response).error();
      if (error.message.starts_with(settings_.address + ": ")) {
        error.message.erase(0, settings_.address.size() + 2);
      }
      return WithPlace(Where(operation), std::move(error));
    }
    WipedText answer(std::move(response->body));
    auto value = TransitAnswerField(response->status, answer.text(), field);
    if (!value) return WithPlace(Where(operation), std::move(value).error());
    return value;
  }

  const std::string type_ = "transit";
  TransitSealSettings settings_;
};

}  // namespace

std::shared_ptr<RootKeyWrapper> TransitRootKeyWrapper(TransitSealSettings settings) {
  return std::make_shared<TransitWrapper>(std::move(settings));
}

}  // namespace tresor::server
