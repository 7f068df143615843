#include "cli/doctor_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include "cli/files.h"
#include "cli/output.h"
#include "cli/run_program.h"
#include "client/session.h"
#include "keys/agent_client.h"
#include "keys/keyring.h"

namespace tresor::cli {
namespace {

struct Finding {
  const char* check;
  const char* state;  // "ok", "warn", "fail", "skip"
  std::string detail;
  std::string fix;  // what to do, when not ok
};

std::string Mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// A directory or file only its owner, this user, may use.
std::optional<Finding> Private(const char* check, const std::string& path, bool directory) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (st.st_uid != ::geteuid()) {
    return Finding{check, "fail",
                   path + " belongs to another user (uid " + std::to_string(st.st_uid) + ")",
                   "chown " + std::to_string(::geteuid()) + " " + path};
  }
  if ((st.st_mode & 077) != 0) {
    return Finding{check, "fail", path + ": mode " + Mode(st.st_mode) + ", open to group or others",
                   std::string(directory ? "chmod 700 " : "chmod 600 ") + path};
  }
  return std::nullopt;
}

Finding Agent() {
  const std::string socket = keys::AgentSocketPath();
  if (socket.empty()) {
    return {"agent", "warn", "no socket path: XDG_RUNTIME_DIR is not set (cron, some services)",
            "set TRESOR_AGENT_SOCK to the agent's socket, or XDG_RUNTIME_DIR"};
  }
  struct stat st {};
  if (::lstat(socket.c_str(), &st) != 0) {
    return {"agent", "warn", "not running (no socket at " + socket + ")",
            "tresor agent start (or: systemctl --user enable --now tresor-agent)"};
  }
  const std::string dir = std::filesystem::path(socket).parent_path().string();
  if (auto bad = Private("agent", dir, true)) return *bad;
  const std::string_view none[] = {""};
  auto reply = keys::CallAgent(socket, keys::RequestKind::kList, std::span(none, 0));
  if (!reply) {
    return {"agent", "fail", socket + ": " + reply.error().message,
            "tresor agent stop; tresor agent start"};
  }
  const size_t keys = reply->message.fields.size() / 6;
  return {"agent", "ok",
          "running at " + socket + ", " + std::to_string(keys) + (keys == 1 ? " key" : " keys"),
          ""};
}

Finding Keyring() {
  const keys::Keyring keyring = keys::Keyring::Default();
  std::error_code ec;
  if (!std::filesystem::exists(keyring.dir(), ec)) {
    return {"keyring", "warn", "no keyring at " + keyring.dir(), "tresor key new NAME"};
  }
  if (auto bad = Private("keyring", keyring.dir(), true)) return *bad;
  auto entries = keyring.List();
  if (!entries) return {"keyring", "fail", entries.error().message, ""};
  for (const keys::KeyringEntry& e : *entries) {
    if (auto bad = Private("keyring", e.path, false)) return *bad;
  }
  if (entries->empty()) {
    return {"keyring", "warn", keyring.dir() + " holds no key", "tresor key new NAME"};
  }
  const std::string name = keyring.DefaultName();
  if (name.empty()) {
    return {"keyring", "warn", std::to_string(entries->size()) + " keys, none is the default",
            "tresor key default NAME"};
  }
  return {"keyring", "ok",
          std::to_string(entries->size()) + (entries->size() == 1 ? " key" : " keys") + " in " +
              keyring.dir() + ", default " + name,
          ""};
}

std::vector<Finding> Server(const DoctorOptions& o) {
  const bool configured = !o.address.empty() || std::getenv("TRESOR_ADDR") != nullptr ||
                          std::getenv("VAULT_ADDR") != nullptr;
  const std::string address = client::ServerAddress(o.address);
  auto status = client::CallServer(address, "GET", "sys/seal-status", nullptr, "");
  if (!status) {
    if (!configured) {
      return {{"server", "skip", "none configured (TRESOR_ADDR is not set) and none at " + address,
               ""}};
    }
    const std::string& why = status.error().message;
    const bool trust =
        why.find("certificate") != std::string::npos || why.find("verify") != std::string::npos;
    return {{"server", "fail", why,
             trust ? "set TRESOR_CACERT to the PEM file of the CA that signed the server's "
                     "certificate"
                   : "start the server, or set TRESOR_ADDR to where it listens"}};
  }
  std::vector<Finding> out;
  if (status->value("sealed", false)) {
    out.push_back({"server", "warn", address + ": sealed", "tresor operator unseal"});
    return out;
  }
  out.push_back({"server", "ok", address + ": unsealed", ""});
  const std::string token = client::ClientToken();
  if (token.empty()) {
    out.push_back({"token", "warn",
                   "no token (TRESOR_TOKEN, VAULT_TOKEN, " + client::TokenFilePath() + ")",
                   "tresor login"});
    return out;
  }
  auto self = client::CallServer(address, "GET", "auth/token/lookup-self", nullptr, token);
  if (!self) {
    out.push_back(
        {"token", "fail", "the server refuses it: " + self.error().message, "tresor login"});
    return out;
  }
  const auto& data = (*self)["data"];
  std::string policies;
  for (const auto& p : data.value("policies", client::Json::array())) {
    policies += (policies.empty() ? "" : ", ") + p.get<std::string>();
  }
  out.push_back({"token", "ok",
                 data.value("display_name", std::string("token")) + ", policies " + policies, ""});
  return out;
}

Finding Git() {
  auto top = RunProgram({"git", "rev-parse", "--show-toplevel"}, true);
  if (!top || top->status != 0) return {"git", "skip", "not in a git repository", ""};
  std::string root = top->out;
  while (!root.empty() && root.back() == '\n') root.pop_back();
  auto textconv = RunProgram({"git", "config", "--get", "diff.tresor.textconv"}, true);
  auto merge = RunProgram({"git", "config", "--get", "merge.tresor.driver"}, true);
  if (!textconv || textconv->status != 0 || !merge || merge->status != 0) {
    return {"git", "warn", root + ": git's diff and merge drivers for sealed files are not set",
            "tresor git-setup '*.env' (with the patterns of your sealed files)"};
  }
  const std::string program = textconv->out.substr(0, textconv->out.find(' '));
  if (::access(program.c_str(), X_OK) != 0) {
    return {"git", "fail", "diff.tresor.textconv runs " + program + ", which is not there",
            "tresor git-setup (again, from the tresor you use now)"};
  }
  auto attributes = ReadTextFile(root + "/.gitattributes", 1 << 20);
  if (!attributes || attributes->find("diff=tresor") == std::string::npos) {
    return {"git", "warn", root + "/.gitattributes sends no file to the tresor drivers",
            "tresor git-setup '*.env' (with the patterns of your sealed files)"};
  }
  return {"git", "ok", root + ": sealed files diff and merge through tresor", ""};
}

}  // namespace

Result<void> RunDoctor(const DoctorOptions& o) {
  std::vector<Finding> findings = {Agent(), Keyring()};
  for (Finding& f : Server(o)) findings.push_back(std::move(f));
  findings.push_back(Git());
  bool failed = false;
  std::vector<std::vector<std::pair<const char*, std::string>>> rows;
  for (const Finding& f : findings) {
    failed = failed || std::string_view(f.state) == "fail";
    if (o.json) {
      rows.push_back(
          {{"check", f.check}, {"state", f.state}, {"detail", f.detail}, {"fix", f.fix}});
      continue;
    }
    std::printf("%-5s %-8s %s\n", f.state, f.check, f.detail.c_str());
    if (!f.fix.empty()) std::printf("%-14s fix: %s\n", "", f.fix.c_str());
  }
  if (o.json) PrintJsonRows(rows);
  if (failed) return MakeError(ErrorCode::kRefused, "doctor: a check failed (see fix: above)");
  return {};
}

}  // namespace tresor::cli
