// age-plugin-tresor: tresor's key sources as an age plugin (C2SP age-plugin,
// identity-v1), so that age, sops and anything built on age's plugin support
// decrypt through a running tresor agent, or with the keyring, the same way
// tresor does (keys/key_chain.h), without a private key on their command
// line. An identity file holding the line `age-plugin-tresor --identity`
// prints selects it. It only unwraps: for encryption, use the key's own
// age1... recipient.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "age/bech32.h"
#include "age/plugin_channel.h"
#include "keys/key_chain.h"

namespace {

using tresor::ErrorCode;
using tresor::Result;
using tresor::age::Stanza;
using tresor::age::StanzaChannel;

int Fail(const std::string& what) {
  std::fprintf(stderr, "age-plugin-tresor: %s\n", what.c_str());
  return 1;
}

// The client's answer to a command of ours ("ok"), whatever it is.
Result<void> Answered(StanzaChannel& age) {
  TRESOR_ASSIGN_OR_RETURN(Stanza answer, age.Receive());
  (void)answer;
  return {};
}

// Phase 2's answers to a request: the body of "ok", or an error for "fail".
Result<tresor::crypto::SecretBytes> Ask(StanzaChannel& age, const std::string& prompt) {
  TRESOR_RETURN_IF_ERROR(age.Send("request-secret", {}, tresor::crypto::AsBytes(prompt)));
  TRESOR_ASSIGN_OR_RETURN(Stanza answer, age.Receive());
  if (answer.type != "ok") return tresor::MakeError(ErrorCode::kRefused, "no passphrase given");
  return tresor::crypto::SecretBytes::CopyOf(answer.body);
}

Result<void> Serve(StanzaChannel& age) {
  // Phase 1: the identities (all "use tresor's keys") and the stanzas of
  // each file.
  std::map<std::string, std::vector<Stanza>> files;
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(Stanza cmd, age.Receive());
    if (cmd.type == "done") break;
    if (cmd.type == "recipient-stanza" && cmd.args.size() >= 2) {
      files[cmd.args[0]].push_back(
          Stanza{cmd.args[1], {cmd.args.begin() + 2, cmd.args.end()}, std::move(cmd.body)});
    }
  }
  // Phase 2: each file's key from the first of tresor's keys that opens it.
  tresor::keys::KeyChainOptions options;
  options.passphrase = [&age](const std::string& prompt) { return Ask(age, prompt); };
  options.note = [&age](const std::string& note) {
    if (age.Send("msg", {}, tresor::crypto::AsBytes(note))) (void)Answered(age);
  };
  auto keys = tresor::keys::KeyChain::Discover(options);
  if (!keys) {
    TRESOR_RETURN_IF_ERROR(
        age.Send("error", {"internal"}, tresor::crypto::AsBytes(keys.error().message)));
    TRESOR_RETURN_IF_ERROR(Answered(age));
    return age.Send("done");
  }
  for (const auto& [index, stanzas] : files) {
    for (const tresor::age::Identity* id : keys->identities()) {
      auto key = id->Unwrap(stanzas);
      if (key && *key) {
        TRESOR_RETURN_IF_ERROR(age.Send("file-key", {index}, (*key)->Reveal()));
        TRESOR_RETURN_IF_ERROR(Answered(age));
        break;
      }
      if (!key && key.error().code == ErrorCode::kHeader) {
        TRESOR_RETURN_IF_ERROR(age.Send("error", {"stanza", index, "0"},
                                        tresor::crypto::AsBytes(key.error().message)));
        TRESOR_RETURN_IF_ERROR(Answered(age));
        break;
      }
    }
  }
  return age.Send("done");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view flag = argc == 2 ? argv[1] : "";
  if (flag == "--identity") {
    const std::string id = tresor::age::Bech32Encode("age-plugin-tresor-", {});
    std::string upper;
    for (char c : id) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    std::printf(
        "# tresor's keys (TRESOR_IDENTITY_FILE, the agent, the keyring) for age and sops\n"
        "%s\n",
        upper.c_str());
    return 0;
  }
  if (flag == "--age-plugin=identity-v1") {
    // tresor's key sources may list this very plugin: it must not run itself.
    ::setenv("TRESOR_IN_AGE_PLUGIN", "1", 1);
    ::signal(SIGPIPE, SIG_IGN);
    StanzaChannel age(STDIN_FILENO, STDOUT_FILENO, "age", false);
    auto served = Serve(age);
    return served ? 0 : Fail(served.error().message);
  }
  if (flag == "--age-plugin=recipient-v1") {
    return Fail("only decrypts: encrypt to the key's own age1... recipient");
  }
  return Fail(
      "usage: age-plugin-tresor --identity (prints the identity line for age -i and "
      "sops); age runs it with --age-plugin=identity-v1");
}
