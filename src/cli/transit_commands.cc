// tresor transit: keys of the server's transit engine, and encrypting and
// decrypting with them. Plaintext goes through stdin and stdout only (never
// the command line, which `ps` shows); ciphertexts are Vault's
// "vault:vN:..." lines.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "age/base64.h"
#include "cli/client_commands.h"
#include "cli/confirm.h"
#include "client/session.h"
#include "crypto/secret_bytes.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

std::string Mount(const ClientOptions& o) {
  return o.mount_path.empty() ? std::string("transit") : o.mount_path;
}

std::string KeyPath(const ClientOptions& o, const std::string& op) {
  return Mount(o) + "/" + op + "/" + o.name;
}

// What the engine needs besides the payload: context and key version.
Json Parameters(const ClientOptions& o) {
  Json body = Json::object();
  if (!o.context.empty()) {
    body["context"] = age::EncodeBase64Padded(
        {reinterpret_cast<const uint8_t*>(o.context.data()), o.context.size()});
  }
  if (o.version > 0) body["key_version"] = o.version;
  return body;
}

Result<void> PrintKey(const Json& reply, const ClientOptions& o) {
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
    return {};
  }
  const Json& key = reply.at("data");
  std::printf(
      "name=%s\ntype=%s\nlatest_version=%d\nmin_decryption_version=%d\n"
      "min_encryption_version=%d\nderived=%s\ndeletion_allowed=%s\n",
      key.value("name", "").c_str(), key.value("type", "").c_str(), key.value("latest_version", 0),
      key.value("min_decryption_version", 0), key.value("min_encryption_version", 0),
      key.value("derived", false) ? "true" : "false",
      key.value("deletion_allowed", false) ? "true" : "false");
  return {};
}

}  // namespace

Result<void> RunTransitCreate(const ClientOptions& o) {
  Json body = Json::object();
  if (!o.key_type.empty()) body["type"] = o.key_type;
  if (o.derived) body["derived"] = true;
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(ServerAddress(o.address), "POST", KeyPath(o, "keys"), body));
  return PrintKey(reply, o);
}

Result<void> RunTransitRead(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(ServerAddress(o.address), "GET", KeyPath(o, "keys")));
  return PrintKey(reply, o);
}

Result<void> RunTransitList(const ClientOptions& o) {
  auto reply = CallServer(ServerAddress(o.address), "LIST", Mount(o) + "/keys");
  Json keys = Json::array();
  if (reply) {
    keys = (*reply)["data"]["keys"];
  } else if (reply.error().code != ErrorCode::kNotFound) {
    return reply.error();
  }
  if (o.json) {
    std::printf("%s\n", keys.dump(2).c_str());
    return {};
  }
  for (const Json& key : keys) std::printf("%s\n", key.get<std::string>().c_str());
  return {};
}

namespace {

// All of stdin, base64-encoded (what transit's "plaintext" and "input" take).
std::string StdinBase64() {
  std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::string encoded =
      age::EncodeBase64Padded({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  crypto::Wipe({reinterpret_cast<uint8_t*>(data.data()), data.size()});
  return encoded;
}

}  // namespace

Result<void> RunTransitEncrypt(const ClientOptions& o) {
  Json body = Parameters(o);
  body["plaintext"] = StdinBase64();
  auto reply = CallServer(ServerAddress(o.address), "POST", KeyPath(o, "encrypt"), body);
  std::string& encoded = body["plaintext"].get_ref<std::string&>();
  crypto::Wipe({reinterpret_cast<uint8_t*>(encoded.data()), encoded.size()});
  if (!reply) return reply.error();
  if (o.json) {
    std::printf("%s\n", reply->dump(2).c_str());
  } else {
    std::printf("%s\n", (*reply)["data"]["ciphertext"].get<std::string>().c_str());
  }
  return {};
}

Result<void> RunTransitDecrypt(const ClientOptions& o) {
  std::string ciphertext = o.token;  // the CIPHERTEXT argument
  if (ciphertext.empty() || ciphertext == "-") {
    if (!std::getline(std::cin, ciphertext)) {
      return MakeError(ErrorCode::kInvalidArgument, "no ciphertext on stdin");
    }
  }
  while (!ciphertext.empty() && (ciphertext.back() == '\r' || ciphertext.back() == ' ')) {
    ciphertext.pop_back();
  }
  Json body = Parameters(o);
  body["ciphertext"] = ciphertext;
  TRESOR_ASSIGN_OR_RETURN(
      Json reply, CallServer(ServerAddress(o.address), "POST", KeyPath(o, "decrypt"), body));
  std::string& encoded = reply["data"]["plaintext"].get_ref<std::string&>();
  std::vector<uint8_t> plain;
  const bool decoded = age::DecodeBase64Padded(encoded, plain);
  crypto::Wipe({reinterpret_cast<uint8_t*>(encoded.data()), encoded.size()});
  if (!decoded) return MakeError(ErrorCode::kIo, "the server's plaintext is not base64");
  const size_t written = std::fwrite(plain.data(), 1, plain.size(), stdout);
  crypto::Wipe(plain);
  if (written != plain.size() || std::fflush(stdout) != 0) {
    return MakeError(ErrorCode::kIo, "stdout: write failed");
  }
  return {};
}

Result<void> RunTransitSign(const ClientOptions& o) {
  Json body = Parameters(o);
  body["input"] = StdinBase64();
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(ServerAddress(o.address), "POST", KeyPath(o, "sign"), body));
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
  } else {
    std::printf("%s\n", reply["data"]["signature"].get<std::string>().c_str());
  }
  return {};
}

Result<void> RunTransitVerify(const ClientOptions& o) {
  Json body = Parameters(o);
  body["input"] = StdinBase64();
  body["signature"] = o.token;  // the SIGNATURE argument
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(ServerAddress(o.address), "POST", KeyPath(o, "verify"), body));
  const bool valid = reply["data"].value("valid", false);
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
  } else if (valid) {
    std::printf("valid\n");
  }
  if (!valid) {
    return MakeError(ErrorCode::kIntegrity,
                     "the signature does not verify: the input or the signature was changed, or "
                     "another key made it");
  }
  return {};
}

Result<void> RunTransitRotate(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(ServerAddress(o.address), "POST",
                                                 KeyPath(o, "keys") + "/rotate", Json::object()));
  if (o.json) return PrintKey(reply, o);
  std::printf("transit key %s: now at version %d\n", o.name.c_str(),
              reply["data"].value("latest_version", 0));
  return {};
}

Result<void> RunTransitDelete(const ClientOptions& o) {
  const std::string address = ServerAddress(o.address);
  TRESOR_ASSIGN_OR_RETURN(Json found, CallServer(address, "GET", KeyPath(o, "keys")));
  (void)found;
  TRESOR_RETURN_IF_ERROR(Confirm(o.yes, "transit delete " + o.name,
                                 "Delete transit key " + o.name +
                                     " (every version)? Whatever it encrypted, on "
                                     "every host, can no longer be decrypted."));
  TRESOR_ASSIGN_OR_RETURN(Json allowed, CallServer(address, "POST", KeyPath(o, "keys") + "/config",
                                                   Json{{"deletion_allowed", true}}));
  (void)allowed;
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(address, "DELETE", KeyPath(o, "keys")));
  (void)done;
  if (o.json) {
    std::printf("%s\n", Json{{"deleted", o.name}, {"mount", Mount(o)}}.dump(2).c_str());
  } else {
    std::printf("transit key %s: deleted\n", o.name.c_str());
  }
  return {};
}

}  // namespace tresor::cli
