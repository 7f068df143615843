// tresor login, token and policy: the server's auth and policy APIs.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/client_commands.h"
#include "cli/files.h"
#include "cli/passphrase.h"
#include "client/session.h"
#include "keys/agent_client.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;
using client::TokenFilePath;

namespace {

std::string Address(const ClientOptions& o) { return ServerAddress(o.address); }

std::string Join(const Json& list) {
  std::string out;
  for (const Json& p : list) {
    if (!out.empty()) out.push_back(',');
    out.append(p.get<std::string>());
  }
  return out;
}

// Writes the token to ~/.tresor-token: a new file made 0600, then renamed.
Result<void> SaveToken(const std::string& token) {
  const std::string path = TokenFilePath();
  const std::string temp = path + ".new";
  ::unlink(temp.c_str());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, temp + ": cannot create");
  std::string line = token;
  line.push_back('\n');
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return MakeError(ErrorCode::kIo, path + ": cannot write the token");
  }
  return {};
}

Result<void> PrintAuth(const Json& auth, bool json) {
  if (json) {
    std::printf("%s\n", auth.dump(2).c_str());
    return {};
  }
  std::printf("token: %s\naccessor: %s\npolicies: %s\nttl: %llds\n",
              auth["client_token"].get<std::string>().c_str(),
              auth["accessor"].get<std::string>().c_str(), Join(auth["policies"]).c_str(),
              static_cast<long long>(auth["lease_duration"].get<int64_t>()));
  return {};
}

}  // namespace

namespace {

// The first line of stdin (a password or token piped in), without its end.
std::string StdinLine() {
  std::string line;
  std::getline(std::cin, line);
  if (line.ends_with('\r')) line.pop_back();
  return line;
}

// Where the auth method is enabled: --path, else its name ("userpass").
std::string MountOf(const ClientOptions& o, const char* method) {
  std::string path = o.mount_path.empty() ? method : o.mount_path;
  while (path.ends_with('/')) path.pop_back();
  return path;
}
std::string LoginPath(const ClientOptions& o, const char* method) {
  return "auth/" + MountOf(o, method) + "/login";
}

// userpass: the auth block of a login as USER.
Result<Json> UserpassLogin(const ClientOptions& o) {
  if (o.name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "login needs USER (or --method approle|token)");
  }
  std::string password;
  if (o.password_file) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes secret, ReadPassphraseFile(*o.password_file));
    password.assign(reinterpret_cast<const char*>(secret.Reveal().data()), secret.size());
  } else if (::isatty(STDIN_FILENO) != 1) {
    password = StdinLine();
  } else {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                            ReadPassphraseFromTerminal("Password for " + o.name + ": "));
    password.assign(reinterpret_cast<const char*>(secret.Reveal().data()), secret.size());
  }
  const Json body{{"password", password}};
  std::fill(password.begin(), password.end(), '\0');
  TRESOR_ASSIGN_OR_RETURN(
      Json reply,
      CallServer(Address(o), "POST", LoginPath(o, "userpass") + "/" + o.name, body, ""));
  return reply["auth"];
}

// token: a token from stdin, checked with lookup-self; an auth-like block.
Result<Json> TokenLogin(const ClientOptions& o) {
  const std::string token = StdinLine();
  if (token.empty()) return MakeError(ErrorCode::kInvalidArgument, "no token on stdin");
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(Address(o), "GET", "auth/token/lookup-self", nullptr, token));
  const Json& d = reply["data"];
  return Json{{"client_token", token},
              {"accessor", d.value("accessor", "")},
              {"policies", d.value("policies", Json::array())},
              {"lease_duration", d.value("ttl", int64_t{0})}};
}

// jwt: a JWT from --jwt-file or stdin, for --role.
Result<Json> JwtLogin(const ClientOptions& o) {
  std::string jwt;
  if (o.jwt_file.empty()) {
    jwt = StdinLine();
  } else {
    TRESOR_ASSIGN_OR_RETURN(jwt, ReadTextFile(o.jwt_file, 64 * 1024));
    while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r' || jwt.back() == ' ')) {
      jwt.pop_back();
    }
  }
  if (jwt.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     o.jwt_file.empty() ? "no JWT on stdin" : o.jwt_file + ": no JWT in it");
  }
  const Json body{{"role", o.jwt_role}, {"jwt", jwt}};
  TRESOR_ASSIGN_OR_RETURN(Json reply,
                          CallServer(Address(o), "POST", LoginPath(o, "jwt"), body, ""));
  return reply["auth"];
}

}  // namespace

Result<void> RunLogin(const ClientOptions& o) {
  Json auth;
  std::string who;
  if (o.method == "approle") {
    if (o.role_id_file.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "login --method approle needs --role-id-file");
    }
    client::AppRoleFiles files{o.role_id_file, o.secret_id_file};
    files.mount = MountOf(o, "approle");
    TRESOR_ASSIGN_OR_RETURN(const std::string token, client::AppRoleToken(Address(o), files));
    TRESOR_ASSIGN_OR_RETURN(
        Json reply, CallServer(Address(o), "GET", "auth/token/lookup-self", nullptr, token));
    auth = Json{{"client_token", token},
                {"accessor", reply["data"].value("accessor", "")},
                {"policies", reply["data"].value("policies", Json::array())},
                {"lease_duration", reply["data"].value("ttl", int64_t{0})}};
    who = "role " + reply["data"]["meta"].value("role_name", "");
  } else if (o.method == "jwt") {
    TRESOR_ASSIGN_OR_RETURN(auth, JwtLogin(o));
    const Json& meta = auth["metadata"];
    who = "role " + (meta.is_object() ? meta.value("role", "") : std::string());
  } else if (o.method == "token") {
    TRESOR_ASSIGN_OR_RETURN(auth, TokenLogin(o));
    who = "token " + auth.value("accessor", "");
  } else {
    TRESOR_ASSIGN_OR_RETURN(auth, UserpassLogin(o));
    who = o.name;
  }
  const std::string token = auth["client_token"].get<std::string>();
  std::string where = "saved in " + TokenFilePath();
  if (o.agent) {
    const std::string address = Address(o);
    const std::string ttl = std::to_string(auth.value("lease_duration", int64_t{0}));
    const std::string_view fields[] = {address, token, ttl};
    TRESOR_ASSIGN_OR_RETURN(
        auto reply, keys::CallAgent(keys::AgentSocketPath(), keys::RequestKind::kSetToken, fields));
    if (reply.kind() != keys::ReplyKind::kOk) {
      return MakeError(ErrorCode::kRefused, "the agent did not take the token");
    }
    where = "held by the agent, for " + address;
  } else {
    TRESOR_RETURN_IF_ERROR(SaveToken(token));
  }
  if (o.json) return PrintAuth(auth, true);
  std::fprintf(stderr, "tresor: logged in as %s (policies %s); token %s\n", who.c_str(),
               Join(auth["policies"]).c_str(), where.c_str());
  return {};
}

void UseAgentToken(const std::string& address_flag) {
  if (!client::ClientToken().empty()) return;
  const std::string token = keys::AgentToken(client::ServerAddress(address_flag));
  if (!token.empty()) ::setenv("TRESOR_TOKEN", token.c_str(), 1);
}

Result<void> RunTokenCreate(const ClientOptions& o) {
  Json body = Json::object();
  if (!o.policies.empty()) body["policies"] = o.policies;
  if (!o.ttl.empty()) body["ttl"] = o.ttl;
  if (o.use_limit > 0) body["num_uses"] = o.use_limit;
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "POST", "auth/token/create", body));
  return PrintAuth(reply["auth"], o.json);
}

Result<void> RunTokenLookup(const ClientOptions& o) {
  auto reply = o.token.empty()
                   ? CallServer(Address(o), "GET", "auth/token/lookup-self")
                   : CallServer(Address(o), "POST", "auth/token/lookup", Json{{"token", o.token}});
  if (!reply) return std::move(reply).error();
  const Json& d = (*reply)["data"];
  if (o.json) {
    std::printf("%s\n", d.dump(2).c_str());
    return {};
  }
  std::printf("accessor: %s\npolicies: %s\npath: %s\nttl: %llds\nrenewable: %s\n",
              d["accessor"].get<std::string>().c_str(), Join(d["policies"]).c_str(),
              d["path"].get<std::string>().c_str(), static_cast<long long>(d["ttl"].get<int64_t>()),
              d["renewable"].get<bool>() ? "true" : "false");
  if (d.value("num_uses", int64_t{0}) > 0) {
    std::printf("uses left: %lld\n", static_cast<long long>(d["num_uses"].get<int64_t>()));
  }
  return {};
}

Result<void> RunTokenRevoke(const ClientOptions& o) {
  // Revoking one's own token (and every child) is never a default.
  if (o.token.empty() == !o.self) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "token revoke: give the TOKEN to revoke, or --self for the current one "
                     "(not both)");
  }
  auto done = o.self
                  ? CallServer(Address(o), "POST", "auth/token/revoke-self", Json::object())
                  : CallServer(Address(o), "POST", "auth/token/revoke", Json{{"token", o.token}});
  if (!done) return std::move(done).error();
  return {};
}

Result<void> RunPolicyWrite(const ClientOptions& o) {
  std::string text;
  if (o.file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    TRESOR_ASSIGN_OR_RETURN(text, ReadTextFile(o.file, 1 << 20));
  }
  auto done = CallServer(Address(o), "PUT", "sys/policies/acl/" + o.name, Json{{"policy", text}});
  if (!done) return std::move(done).error();
  return {};
}

Result<void> RunPolicyRead(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "GET", "sys/policies/acl/" + o.name));
  if (o.json) {
    const Json out = {{"name", reply["data"].value("name", o.name)},
                      {"policy", reply["data"]["policy"]}};
    std::printf("%s\n", out.dump().c_str());
    return {};
  }
  std::fputs(reply["data"]["policy"].get<std::string>().c_str(), stdout);
  return {};
}

Result<void> RunPolicyList(const ClientOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Json reply, CallServer(Address(o), "LIST", "sys/policies/acl"));
  if (o.json) {
    std::printf("%s\n", reply["data"]["keys"].dump().c_str());
    return {};
  }
  for (const Json& k : reply["data"]["keys"]) std::printf("%s\n", k.get<std::string>().c_str());
  return {};
}

Result<void> RunPolicyDelete(const ClientOptions& o) {
  auto done = CallServer(Address(o), "DELETE", "sys/policies/acl/" + o.name);
  if (!done) return std::move(done).error();
  return {};
}

}  // namespace tresor::cli
