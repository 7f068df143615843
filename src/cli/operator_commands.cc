// tresor operator init|unseal|seal and tresor status: the seal endpoints.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/client_commands.h"
#include "cli/passphrase.h"
#include "client/session.h"
#include "server/root_generation.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

void PrintStatus(const Json& s) {
  std::printf("initialized: %s\nsealed: %s\nseal type: %s\n",
              s.value("initialized", false) ? "true" : "false",
              s.value("sealed", true) ? "true" : "false", s.value("type", "").c_str());
  if (s.value("type", "") == "shamir" && s.value("initialized", false)) {
    std::printf("threshold: %d of %d keys\n", s.value("t", 0), s.value("n", 0));
    if (s.value("sealed", true))
      std::printf("progress: %d/%d\n", s.value("progress", 0), s.value("t", 0));
  }
  std::printf("storage: %s\nversion: %s\n", s.value("storage_type", "").c_str(),
              s.value("version", "").c_str());
  const Json& leader = s.contains("leader") ? s["leader"] : Json::object();
  if (leader.value("ha_enabled", false)) {
    // Every node serves; one runs the background work (docs/cluster.md).
    std::printf("background work: %s\n",
                leader.value("is_self", false) ? "this node"
                : leader.value("leader_address", "").empty()
                    ? "no node yet"
                    : ("the node at " + leader.value("leader_address", "")).c_str());
  }
}

// The unseal key: the argument, stdin ("-", or no terminal), or the terminal.
Result<std::string> UnsealKey(const ClientOptions& o) {
  if (!o.key.empty() && o.key != "-") return o.key;
  if (o.key.empty() && ::isatty(STDIN_FILENO)) {
    TRESOR_ASSIGN_OR_RETURN(auto typed, ReadPassphraseFromTerminal("Unseal key: "));
    return std::string(reinterpret_cast<const char*>(typed.Reveal().data()), typed.size());
  }
  std::string line;
  if (!std::getline(std::cin, line) || line.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no unseal key on stdin");
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// "unseal key N: BASE64" for each key; their number.
int PrintUnsealKeys(const Json& keys) {
  int n = 0;
  for (const Json& key : keys) {
    std::printf("unseal key %d: %s\n", ++n, key.get<std::string>().c_str());
  }
  return n;
}

void KeysShownOnce(int n, int threshold) {
  std::fprintf(stderr,
               "tresor: these keys are shown once and stored nowhere. Give them to %d "
               "different people; any %d of them unseal the server after every restart.\n",
               n, n == 1 ? 1 : threshold);
}

// Unseal keys for an attempt (sys/generate-root, sys/rekey), asked as
// operator unseal asks, each sent to `update` with the attempt's nonce
// until the answer says it is complete; that answer. A key that cannot be
// read cancels the attempt.
Result<Json> FeedKeys(const ClientOptions& o, const std::string& address, const char* attempt,
                      const char* update, const Json& started) {
  const std::string nonce = started.value("nonce", "");
  const int required = started.value("required", 0);
  for (int given = 0;;) {
    std::fprintf(stderr, "tresor: unseal key %d of %d\n", given + 1, required);
    ClientOptions one = o;
    one.key.clear();
    auto key = UnsealKey(one);
    if (!key) {
      (void)CallServer(address, "DELETE", attempt, nullptr, "");
      return std::move(key).error();
    }
    TRESOR_ASSIGN_OR_RETURN(
        Json s, CallServer(address, "POST", update, Json{{"key", *key}, {"nonce", nonce}}, ""));
    std::fill(key->begin(), key->end(), '\0');
    given = s.value("progress", given + 1);
    if (s.value("complete", false)) return s;
  }
}

// --cancel and --status of an attempt; true if one of them was asked.
Result<bool> AttemptCancelOrStatus(const ClientOptions& o, const std::string& address,
                                   const char* attempt, const char* what) {
  if (o.cancel) {
    TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(address, "DELETE", attempt, nullptr, ""));
    (void)done;
    std::printf("%s cancelled\n", what);
    return true;
  }
  if (!o.status_only) return false;
  TRESOR_ASSIGN_OR_RETURN(Json s, CallServer(address, "GET", attempt, nullptr, ""));
  if (o.json) {
    std::printf("%s\n", s.dump(2).c_str());
  } else {
    std::printf("started: %s\nprogress: %d/%d\n", s.value("started", false) ? "yes" : "no",
                s.value("progress", 0), s.value("required", 0));
  }
  return true;
}

}  // namespace

Result<void> RunOperatorInit(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(
      Json reply,
      CallServer(ServerAddress(o.address), "POST", "sys/init",
                 Json{{"secret_shares", o.shares}, {"secret_threshold", o.threshold}}, ""));
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
    return {};
  }
  const int n = PrintUnsealKeys(reply["keys_base64"]);
  std::printf("root token: %s\n", reply["root_token"].get<std::string>().c_str());
  if (n > 0) {
    KeysShownOnce(n, o.threshold);
  } else {
    std::fprintf(stderr,
                 "tresor: the root key is protected by the server's age identity; "
                 "the server is unsealed\n");
  }
  return {};
}

Result<void> RunOperatorUnseal(const ClientOptions& o) {
  Json body = Json{{"reset", true}};
  if (!o.reset) {
    TRESOR_ASSIGN_OR_RETURN(std::string key, UnsealKey(o));
    body = Json{{"key", std::move(key)}};
  }
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(ServerAddress(o.address), "POST", "sys/unseal", body, ""));
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
  } else if (reply.value("sealed", true)) {
    std::printf("sealed: true (progress %d/%d)\n", reply.value("progress", 0), reply.value("t", 0));
  } else {
    std::printf("sealed: false\n");
  }
  return {};
}

Result<void> RunOperatorSeal(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(ServerAddress(o.address), "POST", "sys/seal"));
  (void)reply;
  std::fprintf(stderr, "tresor: the server is sealed\n");
  return {};
}

namespace {

// Prints the barrier key in use (its term; since when, with `with_time`).
Result<void> PrintKeyStatus(const ClientOptions& o, const std::string& address, bool with_time) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(address, "GET", "sys/key-status"));
  const Json data = reply.value("data", Json::object());
  if (o.json) {
    std::printf("%s\n", data.dump(2).c_str());
    return {};
  }
  std::printf("key term: %lld\n", static_cast<long long>(data.value("term", int64_t{0})));
  if (with_time) std::printf("install time: %s\n", data.value("install_time", "").c_str());
  return {};
}

}  // namespace

Result<void> RunOperatorKeyStatus(const ClientOptions& o) {
  return PrintKeyStatus(o, ServerAddress(o.address), true);
}

// A new barrier key for the records written from now on (every node uses
// it); prints the new term.
Result<void> RunOperatorRotate(const ClientOptions& o) {
  const std::string address = ServerAddress(o.address);
  TRESOR_ASSIGN_OR_RETURN(Json done, CallServer(address, "PUT", "sys/rotate"));
  (void)done;
  return PrintKeyStatus(o, address, false);
}

Result<void> RunOperatorRecipient(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(
      Json reply, CallServer(ServerAddress(o.address), "GET", "sys/tresor/recipient", nullptr, ""));
  if (o.json) {
    std::printf("%s\n", reply["data"].dump(2).c_str());
  } else {
    std::printf("%s\n", reply["data"].value("recipient", "").c_str());
  }
  return {};
}

// A new root token from a quorum of unseal keys (sys/generate-root): starts
// an attempt, takes keys as operator unseal does until enough have come,
// and decodes the token with the attempt's one-time pad. --status shows an
// attempt, --cancel ends it.
Result<void> RunOperatorGenerateRoot(const ClientOptions& o) {
  const std::string address = ServerAddress(o.address);
  constexpr const char* kAttempt = "sys/generate-root/attempt";
  TRESOR_ASSIGN_OR_RETURN(const bool answered,
                          AttemptCancelOrStatus(o, address, kAttempt, "root generation"));
  if (answered) return {};
  TRESOR_ASSIGN_OR_RETURN(Json started, CallServer(address, "POST", kAttempt, Json::object(), ""));
  TRESOR_ASSIGN_OR_RETURN(Json s,
                          FeedKeys(o, address, kAttempt, "sys/generate-root/update", started));
  TRESOR_ASSIGN_OR_RETURN(
      std::string token,
      server::RootGeneration::Decode(s.value("encoded_token", ""), started.value("otp", "")));
  if (o.json) {
    std::printf("%s\n", Json{{"root_token", token}}.dump(2).c_str());
  } else {
    std::printf("root token: %s\n", token.c_str());
  }
  return {};
}

// New unseal keys from a quorum of the current ones (sys/rekey): --shares
// and --threshold as for init; --status and --cancel as for generate-root.
Result<void> RunOperatorRekey(const ClientOptions& o) {
  const std::string address = ServerAddress(o.address);
  constexpr const char* kAttempt = "sys/rekey/init";
  TRESOR_ASSIGN_OR_RETURN(const bool answered,
                          AttemptCancelOrStatus(o, address, kAttempt, "rekey"));
  if (answered) return {};
  TRESOR_ASSIGN_OR_RETURN(
      Json started,
      CallServer(address, "POST", kAttempt,
                 Json{{"secret_shares", o.shares}, {"secret_threshold", o.threshold}}, ""));
  TRESOR_ASSIGN_OR_RETURN(Json s, FeedKeys(o, address, kAttempt, "sys/rekey/update", started));
  if (o.json) {
    std::printf("%s\n",
                Json{{"keys", s["keys"]}, {"keys_base64", s["keys_base64"]}}.dump(2).c_str());
    return {};
  }
  KeysShownOnce(PrintUnsealKeys(s["keys_base64"]), o.threshold);
  std::fprintf(stderr, "tresor: the old unseal keys open nothing any more\n");
  return {};
}

Result<void> RunStatus(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(
      Json reply, CallServer(ServerAddress(o.address), "GET", "sys/seal-status", nullptr, ""));
  // Which node runs the background work (servers before it have no sys/leader).
  if (auto leader = CallServer(ServerAddress(o.address), "GET", "sys/leader", nullptr, "")) {
    reply["leader"] = std::move(*leader);
  }
  if (o.json) {
    std::printf("%s\n", reply.dump(2).c_str());
  } else {
    PrintStatus(reply);
  }
  if (reply.value("sealed", true)) return MakeError(ErrorCode::kRefused, "the server is sealed");
  return {};
}

}  // namespace tresor::cli
