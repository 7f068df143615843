// The age seal: the root key as an age file to an identity file's recipient.
#include "age/encrypt.h"
#include "keys/identity_file.h"
#include "server/seals/root_key_wrapper.h"

namespace tresor::server {
namespace {

class AgeWrapper final : public RootKeyWrapper {
 public:
  explicit AgeWrapper(std::string identity_file) : identity_file_(std::move(identity_file)) {}

  const std::string& type() const override { return type_; }

  Result<store::Bytes> Wrap(const crypto::SecretBytes& root_key) override {
    TRESOR_ASSIGN_OR_RETURN(auto identities, keys::LoadIdentityFile(identity_file_, nullptr));
    const age::X25519Recipient recipient = identities.front().ToRecipient();
    const age::Recipient* recipients[] = {&recipient};
    age::SpanSource in(root_key.Reveal());
    age::VectorSink out;
    TRESOR_RETURN_IF_ERROR(age::Encrypt(recipients, in, out));
    return std::move(out.data());
  }

  Result<crypto::SecretBytes> Unwrap(std::span<const uint8_t> wrapped) override {
    TRESOR_ASSIGN_OR_RETURN(auto identities, keys::LoadIdentityFile(identity_file_, nullptr));
    std::vector<const age::Identity*> list;
    for (const auto& id : identities) list.push_back(&id);
    age::SpanSource in(wrapped);
    age::FixedSecretSink out(kRootKeySize, "the age-wrapped root key has the wrong size");
    if (auto opened = age::Decrypt(list, in, out); !opened) {
      return WithPlace(identity_file_,
                       MakeError(opened.error().code,
                                 "does not open this store's root key: " + opened.error().message));
    }
    return out.Take();
  }

 private:
  const std::string type_ = "age";
  std::string identity_file_;
};

}  // namespace

std::shared_ptr<RootKeyWrapper> AgeRootKeyWrapper(std::string identity_file) {
  return std::make_shared<AgeWrapper>(std::move(identity_file));
}

}  // namespace tresor::server
