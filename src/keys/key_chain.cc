#include "keys/key_chain.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string_view>

#include "age/key_files.h"
#include "age/plugin.h"
#include "crypto/secret_file.h"
#include "keys/agent_client.h"
#include "keys/keyring.h"

namespace tresor::keys {
namespace {

bool HasX25519(std::span<const age::Stanza> stanzas) {
  return std::any_of(stanzas.begin(), stanzas.end(),
                     [](const age::Stanza& s) { return s.type == "X25519"; });
}

// The agent as an identity: stanzas go over the socket, a file key comes back.
class AgentIdentity : public age::Identity {
 public:
  AgentIdentity(std::string socket, std::string required_name,
                std::function<void(const std::string&)> note)
      : socket_(std::move(socket)), required_(std::move(required_name)), note_(std::move(note)) {}

  Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const age::Stanza> stanzas) const override {
    if (!HasX25519(stanzas) || state_ == "unreachable") return std::optional<crypto::SecretBytes>();
    auto reply = CallAgent(socket_, EncodeUnwrap(stanzas));
    if (!reply) {
      const bool absent = reply.error().code == ErrorCode::kNotFound &&
                          reply.error().message.starts_with("no agent socket");
      state_ = absent ? "not running" : "unreachable";
      if (!absent && note_)
        note_("agent: " + reply.error().message + "; trying the next key source");
      return std::optional<crypto::SecretBytes>();
    }
    switch (reply->kind()) {
      case ReplyKind::kOk: {
        const Message& m = reply->message;
        if (m.fields.size() != 2 || m.fields[0].size() != age::kFileKeySize) {
          return MakeError(ErrorCode::kIo, socket_ + ": malformed unwrap reply from the agent");
        }
        if (!required_.empty() && m.Text(1) != required_) break;
        state_ = "matched";
        return std::optional(crypto::SecretBytes::CopyOf(m.fields[0]));
      }
      case ReplyKind::kLocked:
        state_ = "locked";
        return std::optional<crypto::SecretBytes>();
      default:
        break;
    }
    if (state_.empty()) state_ = "no match";
    return std::optional<crypto::SecretBytes>();
  }
  const std::string& state() const { return state_; }
  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
  std::string required_;
  std::function<void(const std::string&)> note_;
  mutable std::string state_;
};

// An identity file read only when a file needs it.
class LazyFileIdentity : public age::Identity {
 public:
  LazyFileIdentity(std::string path, std::string label, PassphraseFn passphrase)
      : path_(std::move(path)), label_(std::move(label)), passphrase_(std::move(passphrase)) {}

  Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const age::Stanza> stanzas) const override {
    if (!HasX25519(stanzas)) return std::optional<crypto::SecretBytes>();
    if (!loaded_) {
      loaded_ = true;
      TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content,
                              crypto::ReadSecretFile(path_, kMaxIdentityFile));
      if (IsProtectedIdentity(content) && !passphrase_) {
        skipped_ = "passphrase-protected; tresor agent add " + path_;
        return std::optional<crypto::SecretBytes>();
      }
      auto ids = ParseIdentityBytes(content, path_, passphrase_);
      if (!ids && ids.error().code == ErrorCode::kRefused) {  // no terminal to ask
        skipped_ = ids.error().message;
        return std::optional<crypto::SecretBytes>();
      }
      if (!ids && ids.error().code == ErrorCode::kNoMatch) {  // the passphrase did not open it
        skipped_ = "wrong passphrase";
        return std::optional<crypto::SecretBytes>();
      }
      if (!ids) return std::move(ids).error();
      ids_ = std::move(*ids);
    }
    for (const auto& id : ids_) {
      TRESOR_ASSIGN_OR_RETURN(auto key, id.Unwrap(stanzas));
      if (key) return key;
    }
    return std::optional<crypto::SecretBytes>();
  }
  const std::string& label() const { return label_; }
  const std::string& skipped() const { return skipped_; }
  // Not to be opened: `why` is what messages say.
  void PassOver(std::string why) {
    loaded_ = true;
    skipped_ = std::move(why);
  }

 private:
  std::string path_;
  std::string label_;
  PassphraseFn passphrase_;
  mutable bool loaded_ = false;
  mutable std::string skipped_;
  mutable std::vector<age::X25519Identity> ids_;
};

Result<std::vector<age::X25519Identity>> ParseEnvironmentIdentity(const char* text) {
  const std::string_view view(text);
  auto bytes =
      crypto::SecretBytes::CopyOf({reinterpret_cast<const uint8_t*>(view.data()), view.size()});
  auto ids = age::ParseIdentityFile(bytes.Reveal());
  if (!ids) return WithPlace("TRESOR_IDENTITY", ids.error());
  return ids;
}

}  // namespace

std::string FormatDuration(int64_t s) {
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::vector<std::string> IdentityFilesFromEnvironment() {
  std::vector<std::string> files;
  const char* env = std::getenv("TRESOR_IDENTITY_FILE");
  std::string_view list = env != nullptr ? env : "";
  while (!list.empty()) {
    const size_t colon = list.find(':');
    if (colon != 0) files.emplace_back(list.substr(0, colon));
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
  return files;
}

struct KeyChain::State {
  std::vector<age::X25519Identity> loaded;
  // -i files' plugin identities (AGE-PLUGIN-...), after the keys above; a
  // plugin's PIN request is asked like a passphrase.
  age::PluginUi plugin_ui;
  std::vector<age::PluginIdentity> plugins;
  std::vector<std::string> tried;  // the eager sources, for messages
  std::unique_ptr<AgentIdentity> agent;
  std::vector<std::unique_ptr<LazyFileIdentity>> files;
  bool explicit_files = false;  // -i: the user named the keys; nothing to explain
};

KeyChain::KeyChain(std::unique_ptr<State> state) : state_(std::move(state)) {}
KeyChain::KeyChain(KeyChain&&) noexcept = default;
KeyChain& KeyChain::operator=(KeyChain&&) noexcept = default;
KeyChain::~KeyChain() = default;

Result<KeyChain> KeyChain::Discover(const KeyChainOptions& options) {
  auto s = std::make_unique<State>();
  s->plugin_ui = age::DefaultPluginUi();
  if (options.passphrase) {
    s->plugin_ui.request = [fn = options.passphrase](const std::string& plugin,
                                                     const std::string& prompt,
                                                     bool) -> std::optional<crypto::SecretBytes> {
      auto answer = fn("age-plugin-" + plugin + ": " + prompt);
      if (!answer) return std::nullopt;
      return std::move(*answer);
    };
  }
  auto load = [&](const std::string& path, const std::string& label) -> Result<void> {
    std::vector<std::string> plugin_lines;
    TRESOR_ASSIGN_OR_RETURN(auto ids, LoadIdentityFile(path, options.passphrase, &plugin_lines));
    for (auto& id : ids) s->loaded.push_back(std::move(id));
    for (const std::string& line : plugin_lines) {
      auto plugin = age::PluginIdentity::Parse(line, &s->plugin_ui);
      if (!plugin) return WithPlace(path, std::move(plugin).error());
      s->plugins.push_back(std::move(*plugin));
    }
    s->tried.push_back(label + " " + path);
    return {};
  };
  if (!options.identity_files.empty()) {
    for (const std::string& path : options.identity_files) TRESOR_RETURN_IF_ERROR(load(path, "-i"));
    s->explicit_files = true;
    return KeyChain(std::move(s));
  }
  const Keyring keyring = Keyring::Default();
  if (!options.key_name.empty()) {
    TRESOR_ASSIGN_OR_RETURN(KeyringEntry entry, keyring.Find(options.key_name));
    // The agent names what it holds by absolute path (tresor agent add).
    std::error_code ec;
    const std::string canonical = std::filesystem::weakly_canonical(entry.path, ec).string();
    s->agent = std::make_unique<AgentIdentity>(AgentSocketPath(), canonical, options.note);
    s->files.push_back(
        std::make_unique<LazyFileIdentity>(entry.path, "key " + entry.name, options.passphrase));
    return KeyChain(std::move(s));
  }
  if (const char* inline_id = std::getenv("TRESOR_IDENTITY"); inline_id != nullptr && *inline_id) {
    TRESOR_ASSIGN_OR_RETURN(auto ids, ParseEnvironmentIdentity(inline_id));
    for (auto& id : ids) s->loaded.push_back(std::move(id));
    s->tried.push_back("TRESOR_IDENTITY");
  }
  for (const std::string& path : IdentityFilesFromEnvironment()) {
    TRESOR_RETURN_IF_ERROR(load(path, "TRESOR_IDENTITY_FILE"));
  }
  s->agent = std::make_unique<AgentIdentity>(AgentSocketPath(), "", options.note);
  // Recipients and protection are read only when the file names its
  // recipients (List reads each key's .pub and first bytes).
  const auto& listed = options.listed_recipients;
  if (auto entries = listed.empty() ? keyring.Keys() : keyring.List(); entries) {
    auto named = [&](const KeyringEntry& e) {
      return std::find(listed.begin(), listed.end(), e.recipient) != listed.end();
    };
    // The keys the file names first; a protected key it does not name is
    // passed over without asking for its passphrase.
    std::stable_partition(entries->begin(), entries->end(), named);
    for (const KeyringEntry& e : *entries) {
      const bool ask = listed.empty() || named(e) || !e.is_protected;
      s->files.push_back(std::make_unique<LazyFileIdentity>(
          e.path, "key " + e.name, ask ? options.passphrase : PassphraseFn()));
      if (!ask) s->files.back()->PassOver("passphrase-protected, and not a recipient of the file");
    }
  }
  return KeyChain(std::move(s));
}

std::vector<const age::Identity*> KeyChain::identities() const {
  std::vector<const age::Identity*> out;
  for (const auto& id : state_->loaded) out.push_back(&id);
  for (const auto& id : state_->plugins) out.push_back(&id);
  if (state_->agent) out.push_back(state_->agent.get());
  for (const auto& f : state_->files) out.push_back(f.get());
  return out;
}

bool KeyChain::empty() const {
  const bool agent_absent = !state_->agent || state_->agent->state() == "not running";
  return state_->loaded.empty() && state_->plugins.empty() && state_->files.empty() && agent_absent;
}

namespace {

// Under cron (and other stripped environments) XDG_RUNTIME_DIR is unset, so
// the socket of an agent a login session started is not where it is
// looked for: say where it was looked for and how to point at it.
std::string CronAgentNote() {
  const auto unset = [](const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr || *v == '\0';
  };
  if (!unset("TRESOR_AGENT_SOCK") || !unset("XDG_RUNTIME_DIR")) return "";
  return "; no agent at " + AgentSocketPath() +
         ": XDG_RUNTIME_DIR is not set (as under cron), so an agent started in a login session "
         "is not found there; set TRESOR_AGENT_SOCK to its socket (tresor agent status prints "
         "it), or unlock a key into an agent started with TRESOR_AGENT_SOCK set (tresor agent "
         "unlock KEY)";
}

}  // namespace

Error KeyChain::Explain(Error error) const {
  if (error.code != ErrorCode::kNoMatch || state_->explicit_files) return error;
  if (empty()) {
    error.message +=
        " (no key found: use -i FILE, set TRESOR_IDENTITY_FILE, start the agent and add one "
        "(tresor agent add FILE), or make one (tresor key new NAME))" +
        CronAgentNote();
    return error;
  }
  std::vector<std::string> tried = state_->tried;
  const AgentIdentity* agent = state_->agent.get();
  if (agent != nullptr && !agent->state().empty() && agent->state() != "not running" &&
      agent->state() != "locked") {
    tried.push_back("the agent (" + agent->state() + ")");
  }
  for (const auto& f : state_->files) {
    tried.push_back(f->label() + (f->skipped().empty() ? "" : " (" + f->skipped() + ")"));
  }
  std::string list;
  for (const std::string& t : tried) list += (list.empty() ? "" : ", ") + t;
  if (agent != nullptr && agent->state() == "locked") {
    error.message += "; the agent is locked (tresor agent unlock)";
  }
  if (!list.empty()) error.message += " (tried " + list + ")";
  if (agent != nullptr && agent->state() == "not running") error.message += CronAgentNote();
  return error;
}

namespace {

// Whether an executable `name` is in a directory of $PATH.
bool InPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::string candidate = std::string(dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace

std::vector<KeySourceInfo> DescribeKeySources(const KeyChainOptions& options) {
  std::vector<KeySourceInfo> rows;
  auto describe_file = [&](const std::string& source, const std::string& path) {
    auto content = crypto::ReadSecretFile(path, kMaxIdentityFile);
    if (!content) {
      rows.push_back({source, path, "", content.error().message});
      return;
    }
    if (IsProtectedIdentity(*content)) {
      rows.push_back({source, path, "", "protected"});
      return;
    }
    std::vector<std::string> plugin_lines;
    auto ids = age::ParseIdentityFile(content->Reveal(), &plugin_lines);
    if (!ids) {
      rows.push_back({source, path, "", ids.error().message});
      return;
    }
    for (const auto& id : *ids) rows.push_back({source, path, id.ToRecipient().String(), "ready"});
    // A plugin identity's recipient is the plugin's to know.
    for (const std::string& line : plugin_lines) {
      auto plugin = age::PluginIdentity::Parse(line);
      if (!plugin) {
        rows.push_back({source, path, "", plugin.error().message});
        continue;
      }
      const std::string binary = "age-plugin-" + plugin->plugin();
      rows.push_back(
          {source, path, "", InPath(binary) ? "plugin " + binary : binary + ": not found in PATH"});
    }
  };
  for (const std::string& path : options.identity_files) describe_file("-i", path);
  if (!options.identity_files.empty()) return rows;
  if (const char* inline_id = std::getenv("TRESOR_IDENTITY"); inline_id != nullptr && *inline_id) {
    auto ids = ParseEnvironmentIdentity(inline_id);
    if (!ids) {
      rows.push_back({"TRESOR_IDENTITY", "", "", ids.error().message});
    } else {
      for (const auto& id : *ids) {
        rows.push_back({"TRESOR_IDENTITY", "", id.ToRecipient().String(), "ready"});
      }
    }
  }
  for (const std::string& path : IdentityFilesFromEnvironment()) {
    describe_file("TRESOR_IDENTITY_FILE", path);
  }
  const std::string socket = AgentSocketPath();
  const std::string_view none[] = {""};
  auto reply = CallAgent(socket, RequestKind::kList, std::span(none, 0));
  if (!reply) {
    const bool absent = reply.error().message.starts_with("no agent socket");
    rows.push_back({"agent", socket, "", absent ? "not running" : reply.error().message});
  } else {
    const Message& m = reply->message;
    for (size_t i = 0; i + 5 < m.fields.size(); i += 6) {
      std::string state(m.Text(i + 2));
      if (const int64_t at = std::atoll(std::string(m.Text(i + 4)).c_str()); at > 0) {
        const int64_t left = at - static_cast<int64_t>(std::time(nullptr));
        state += ", expires in " + FormatDuration(left > 0 ? left : 0);
      }
      rows.push_back({"agent", std::string(m.Text(i)), std::string(m.Text(i + 1)), state});
    }
  }
  if (auto entries = Keyring::Default().List(); entries) {
    for (const KeyringEntry& e : *entries) {
      rows.push_back({"keyring", e.name + (e.is_default ? " (default)" : ""), e.recipient,
                      e.is_protected ? "protected" : "ready"});
    }
  }
  return rows;
}

}  // namespace tresor::keys
