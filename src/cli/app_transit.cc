// The command-line definitions of tresor transit.
#include "cli/app_client.h"

namespace tresor::cli {

void AddTransitCommands(CLI::App& app, ClientOptions& o, const Leaf& leaf) {
  CLI::App* transit = app.add_subcommand(
      "transit",
      "Keys of the server's transit engine (secrets enable transit): encrypt and decrypt with "
      "keys that never leave the server");
  transit->require_subcommand(1);
  auto key_leaf = [&](const char* name, const char* help, Result<void> (*run)(const ClientOptions&),
                      bool json = true) {
    CLI::App* cmd = leaf(transit, name, help, run, json);
    cmd->add_option("KEY", o.name, "The key's name")->required();
    cmd->add_option("--mount", o.mount_path, "The transit mount (default transit)");
    return cmd;
  };
  CLI::App* create =
      key_leaf("create", "Create KEY (nothing changes if it exists)", RunTransitCreate);
  create->add_option("--type", o.key_type,
                     "aes256-gcm96 (default), chacha20-poly1305, or ed25519 or ecdsa-p256 "
                     "(sign and verify)");
  create->add_flag("--derived", o.derived,
                   "Each operation names a --context and uses a key derived from it");
  key_leaf("read", "Print KEY's settings and versions", RunTransitRead);
  CLI::App* encrypt =
      key_leaf("encrypt", "Encrypt stdin with KEY and print the ciphertext (vault:vN:...)",
               RunTransitEncrypt);
  CLI::App* decrypt =
      key_leaf("decrypt",
               "Decrypt CIPHERTEXT (or the first line of stdin) and write the plaintext to "
               "stdout",
               RunTransitDecrypt, false);
  decrypt->add_option("CIPHERTEXT", o.token, "vault:vN:... (- or absent: stdin)");
  for (CLI::App* cmd : {encrypt, decrypt}) {
    cmd->add_option("--context", o.context, "The context of a derived key");
  }
  encrypt->add_option("--key-version", o.version, "Encrypt with this version (default latest)");
  key_leaf("sign",
           "Sign stdin with ed25519 or ecdsa-p256 KEY and print the signature (vault:vN:...)",
           RunTransitSign)
      ->add_option("--key-version", o.version, "Sign with this version (default latest)");
  key_leaf("verify", "Check that SIGNATURE is KEY's signature of stdin: prints valid, or exits 5",
           RunTransitVerify)
      ->add_option("SIGNATURE", o.token, "vault:vN:...")
      ->required();
  key_leaf("rotate", "Add a new version of KEY; new ciphertexts use it, old ones still decrypt",
           RunTransitRotate);
  key_leaf("delete",
           "Delete KEY and every version, after confirmation: what it encrypted can no longer "
           "be decrypted, anywhere",
           RunTransitDelete)
      ->add_flag("--yes", o.yes, "Do not ask");
  leaf(transit, "list", "List the keys", RunTransitList, true)
      ->add_option("--mount", o.mount_path, "The transit mount (default transit)");
  transit->footer(
      "Examples:\n"
      "  tresor secrets enable transit\n"
      "  tresor transit create payments\n"
      "  printf 4111111111111111 | tresor transit encrypt payments > card.txt\n"
      "  tresor transit decrypt payments < card.txt\n"
      "  tresor transit create --type ed25519 releases\n"
      "  tresor transit sign releases < app.tar.gz > app.sig\n"
      "  tresor transit verify releases \"$(cat app.sig)\" < app.tar.gz\n");
}

}  // namespace tresor::cli
