// render and run: a configuration file opened, its references resolved,
// and the result written to a file or handed to a command's environment.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/json_tree.h"
#include "cli/output.h"
#include "cli/rules.h"
#include "cli/sealed_file_io.h"
#include "formats/duration.h"
#include "runtime/config.h"
#include "runtime/interpolation.h"
#include "runtime/references.h"

extern char** environ;

namespace tresor::cli {
namespace {

Result<ConfigOptions> MakeConfigOptions(const RuntimeOptions& o) {
  ConfigOptions config;
  config.format = o.format;
  config.identity_files = o.identity_files;
  config.secrets_file = o.secrets_file;
  config.allow_unadopted = o.allow_unadopted;
  config.server.address = o.address;
  config.server.ca_file = o.ca_cert;
  config.server.role_id_file = o.role_id_file;
  config.server.secret_id_file = o.secret_id_file;
  config.server.remove_secret_id_file = o.secret_id_file_once;
  for (const std::string& file : o.properties_files) {
    TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file, kMaxConfigFile));
    TRESOR_RETURN_IF_ERROR(runtime::ReadProperties(text, file, &config.properties));
  }
  for (const std::string& define : o.defines) {  // -D wins over --properties
    const size_t eq = define.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "-D " + define + ": expected -Dname=value");
    }
    config.properties[define.substr(0, eq)] = define.substr(eq + 1);
  }
  return config;
}

// Loads and unlocks a file as the sealed commands do (identities, prompts).
Result<sealed::SealedFile> OpenUnlocked(const std::string& file, const RuntimeOptions& o,
                                        const std::string& format) {
  SealedCommandOptions sealed_options;
  sealed_options.file = file;
  sealed_options.format = format;
  sealed_options.identity_files = o.identity_files;
  sealed_options.key_name = o.key_name;
  sealed_options.passphrase_file = o.passphrase_file;
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile loaded, LoadSealedFile(sealed_options));
  if (loaded.has_header()) TRESOR_RETURN_IF_ERROR(UnlockSealedFile(loaded, sealed_options));
  return loaded;
}

Result<Config> OpenConfig(const std::string& file, const RuntimeOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(ConfigOptions options, MakeConfigOptions(o));
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile loaded, OpenUnlocked(file, o, o.format));
  if (o.secrets_file.empty()) return Config::FromUnlocked(loaded, file, nullptr, "", options);
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile secrets, OpenUnlocked(o.secrets_file, o, ""));
  return Config::FromUnlocked(loaded, file, &secrets, o.secrets_file, options);
}

// What render reads: a configuration file (sealed or not) or, for --format
// text and names of no known format, a text template. Loaded and unlocked
// once; each Render() resolves its references anew (render --watch).
class Template {
 public:
  static Result<Template> Load(const std::string& file, const RuntimeOptions& o) {
    Template t;
    t.file_ = file;
    TRESOR_ASSIGN_OR_RETURN(t.options_, MakeConfigOptions(o));
    const bool text =
        o.format == "text" || (o.format.empty() && formats::FormatForFile(file) == nullptr);
    if (text) {
      TRESOR_ASSIGN_OR_RETURN(std::string content, ReadTextFile(file, kMaxConfigFile));
      t.text_ = std::move(content);
    } else {
      TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile loaded, OpenUnlocked(file, o, o.format));
      t.file_sealed_ = std::make_shared<sealed::SealedFile>(std::move(loaded));
    }
    if (!o.secrets_file.empty()) {
      TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile secrets, OpenUnlocked(o.secrets_file, o, ""));
      t.secrets_ = std::make_shared<sealed::SealedFile>(std::move(secrets));
    }
    return t;
  }

  Result<std::string> Render() const {
    const std::string& secrets_name = options_.secrets_file;
    if (text_) return Config::RenderText(*text_, file_, secrets_.get(), secrets_name, options_);
    TRESOR_ASSIGN_OR_RETURN(
        Config config,
        Config::FromUnlocked(*file_sealed_, file_, secrets_.get(), secrets_name, options_));
    return config.Render();
  }

 private:
  std::string file_;
  ConfigOptions options_;
  std::optional<std::string> text_;
  std::shared_ptr<const sealed::SealedFile> file_sealed_;
  std::shared_ptr<const sealed::SealedFile> secrets_;
};

// Writes -o OUT atomically (mode 0600 unless --mode), refusing a directory
// that every user can read.
Result<void> WriteRendered(const RuntimeOptions& o, const std::string& rendered) {
  struct stat dir {};
  std::string directory = std::filesystem::path(o.output).parent_path().string();
  if (directory.empty()) directory.push_back('.');
  if (::stat(directory.c_str(), &dir) == 0 && (dir.st_mode & S_IROTH) != 0 && !o.force) {
    return MakeError(ErrorCode::kRefused,
                     o.output + ": its directory " + directory +
                         " is readable by every user, and the rendered file holds secrets; "
                         "use a private directory (such as $XDG_RUNTIME_DIR) or --force");
  }
  TRESOR_ASSIGN_OR_RETURN(const OutputPolicy policy, PlaintextOutput(o.mode));
  TRESOR_ASSIGN_OR_RETURN(auto out, AtomicOutput::Create(o.output, policy));
  TRESOR_RETURN_IF_ERROR(out->Write(crypto::AsBytes(rendered)));
  return out->Commit();
}

// Runs `command` with /bin/sh and waits for it; its failure is reported,
// not fatal (the next change runs it again).
void RunOnChange(const std::string& command, const sigset_t& blocked) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::sigprocmask(SIG_UNBLOCK, &blocked, nullptr);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) {
    std::fprintf(stderr, "tresor render: --on-change: cannot run it: %s\n", std::strerror(errno));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "tresor render: --on-change: %s %d\n",
                 WIFEXITED(status) ? "exited with" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  }
}

// render --watch: renders again every --interval (and at SIGHUP); when the
// result changed, replaces OUT and runs --on-change. An error keeps OUT as
// it was and is retried at the next interval. SIGTERM or SIGINT end it
// (exit 0).
Result<void> WatchTemplate(const Template& source, const RuntimeOptions& o, std::string last) {
  int64_t interval = 60;
  if (!o.interval.empty()) {
    TRESOR_ASSIGN_OR_RETURN(interval, formats::ParseDuration(o.interval));
    if (interval <= 0) return MakeError(ErrorCode::kInvalidArgument, "--interval must be > 0");
  }
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  std::fprintf(stderr, "tresor render: watching %s every %llds\n", o.output.c_str(),
               static_cast<long long>(interval));
  while (true) {
    const timespec wait{.tv_sec = static_cast<time_t>(interval), .tv_nsec = 0};
    const int sig = ::sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT) return {};
    auto rendered = source.Render();
    if (!rendered) {
      std::fprintf(stderr, "tresor render: %s (%s is kept as it was)\n",
                   rendered.error().message.c_str(), o.output.c_str());
      continue;
    }
    if (*rendered == last) continue;
    if (auto written = WriteRendered(o, *rendered); !written) {
      std::fprintf(stderr, "tresor render: %s\n", written.error().message.c_str());
      continue;
    }
    last = std::move(*rendered);
    std::fprintf(stderr, "tresor render: %s: updated\n", o.output.c_str());
    if (!o.on_change.empty()) RunOnChange(o.on_change, signals);
  }
}

// The files to read: those given, and the --env (or $TRESOR_ENV) file.
Result<std::vector<std::string>> FilesOf(const RuntimeOptions& o) {
  std::vector<std::string> files = o.files;
  std::string env = o.env;
  if (env.empty() && files.empty()) {
    if (const char* from_env = std::getenv("TRESOR_ENV")) env = from_env;
  }
  if (!env.empty() || files.empty()) {
    TRESOR_ASSIGN_OR_RETURN(std::string file, EnvironmentFile(".", env));
    files.push_back(std::move(file));
  }
  return files;
}

// The environment variable for a value: a dotenv key as it is; otherwise
// the path's keys and indices, upper-cased, joined by '_', with every other
// character made '_' (db.users[0].password -> DB_USERS_0_PASSWORD).
Result<std::string> VariableName(const Config& config, const ConfigEntry& entry,
                                 const std::string& prefix) {
  TRESOR_ASSIGN_OR_RETURN(auto segments, formats::SplitPath(entry.path));
  const bool dotenv = std::string_view(config.format().name()) == "dotenv";
  std::string name = prefix;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view segment = segments[i];
    if (segment.starts_with('[')) segment = segment.substr(1, segment.size() - 2);
    if (i > 0) name.push_back('_');
    for (char c : segment) {
      const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (dotenv) {
        name.push_back(c);
      } else {
        name.push_back(!alnum ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
      }
    }
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9') || name.find('=') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, config.name() + ": " + entry.path +
                                                      " gives no usable variable name " + name +
                                                      " (use --prefix)");
  }
  return name;
}

// PATH lookup as execvp does it, but against the environment tresor was
// started with (the child's may be --pristine).
std::optional<std::string> FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    std::string candidate(dirs.substr(0, colon));
    if (candidate.empty()) candidate.push_back('.');  // an empty entry is the current directory
    candidate.append("/").append(program);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

// render --json: the values (sealed ones opened, references resolved) as
// get --json prints a subtree.
Result<std::string> RenderJson(const std::string& file, const RuntimeOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Config config, OpenConfig(file, o));
  nlohmann::json tree = nlohmann::json::object();
  for (const ConfigEntry& entry : config.entries()) {
    auto put =
        PutAtPath(tree, entry.path, entry.type == formats::ValueType::kNull ? "" : entry.value);
    if (!put) return WithPlace(file, std::move(put).error());
  }
  return PrintJsonTree(tree);
}

}  // namespace

Result<void> RunRender(const RuntimeOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(auto files, FilesOf(o));
  if (files.size() != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "render takes one FILE (or --env NAME)");
  }
  if (o.watch && o.output.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "render --watch needs -o OUT");
  }
  if (!o.watch && (!o.interval.empty() || !o.on_change.empty())) {
    return MakeError(ErrorCode::kInvalidArgument, "--interval and --on-change go with --watch");
  }
  if (o.json && o.watch) {
    return MakeError(ErrorCode::kInvalidArgument, "render --json does not go with --watch");
  }
  std::string rendered;
  std::optional<Template> source;
  if (o.json) {
    TRESOR_ASSIGN_OR_RETURN(rendered, RenderJson(files[0], o));
  } else {
    TRESOR_ASSIGN_OR_RETURN(source, Template::Load(files[0], o));
    TRESOR_ASSIGN_OR_RETURN(rendered, source->Render());
  }
  if (o.output.empty()) {
    if (std::fwrite(rendered.data(), 1, rendered.size(), stdout) != rendered.size() ||
        std::fflush(stdout) != 0) {
      return MakeError(ErrorCode::kIo, "stdout: write failed");
    }
    return {};
  }
  TRESOR_RETURN_IF_ERROR(WriteRendered(o, rendered));
  if (!o.watch) return {};
  return WatchTemplate(*source, o, rendered);
}

Result<void> RunRun(const RuntimeOptions& o) {
  if (o.command.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "run needs a command: tresor run -f FILE -- CMD");
  }
  TRESOR_ASSIGN_OR_RETURN(auto files, FilesOf(o));
  std::map<std::string, std::pair<std::string, std::string>> values;  // name -> (value, origin)
  for (const std::string& file : files) {
    TRESOR_ASSIGN_OR_RETURN(Config config, OpenConfig(file, o));
    // The values as the file's usual reader sees them: configparser's
    // interpolation for INI, python-dotenv's expansion for dotenv.
    std::vector<ConfigEntry> entries = config.entries();
    const std::string_view format = config.format().name();
    if (format == "ini") TRESOR_RETURN_IF_ERROR(runtime::InterpolateIni(entries, file));
    if (format == "dotenv") {
      TRESOR_RETURN_IF_ERROR(runtime::ExpandDotenv(entries, file, [](const std::string& name) {
        const char* value = std::getenv(name.c_str());
        return value == nullptr ? std::nullopt : std::optional<std::string>(value);
      }));
    }
    for (const ConfigEntry& entry : entries) {
      TRESOR_ASSIGN_OR_RETURN(std::string name, VariableName(config, entry, o.prefix));
      std::string origin = file;
      origin.append(": ").append(entry.path);
      const std::string value = entry.type == formats::ValueType::kNull ? "" : entry.value;
      if (value.find('\0') != std::string::npos) {
        // The child would see the value cut at the NUL: refuse instead.
        return MakeError(ErrorCode::kRefused,
                         "run: " + origin +
                             ": a value with a NUL byte cannot be an environment "
                             "variable");
      }
      auto [it, added] = values.emplace(name, std::make_pair(value, origin));
      if (!added) {
        return MakeError(ErrorCode::kInvalidArgument, "run: both " + it->second.second + " and " +
                                                          origin + " give " + name +
                                                          " (rename one, or use --prefix)");
      }
    }
  }
  std::vector<std::string> environment;
  if (!o.pristine) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view entry = *e;
      const std::string name(entry.substr(0, entry.find('=')));
      // tresor's own keys stay with tresor: the command gets the values,
      // never what opens them.
      static const std::set<std::string, std::less<>> kOwn{
          "TRESOR_IDENTITY",           "TRESOR_IDENTITY_FILE", "TRESOR_TOKEN",
          "TRESOR_TOKEN_FILE",         "TRESOR_ROLE_ID_FILE",  "TRESOR_SECRET_ID_FILE",
          "TRESOR_SECRET_ID_FILE_ONCE"};
      if (kOwn.contains(name)) continue;
      if (!values.contains(name)) environment.emplace_back(entry);
    }
  }
  for (const auto& [name, value] : values) {
    std::string entry = name;
    environment.push_back(entry.append("=").append(value.first));
  }
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const std::string& arg : o.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::optional<std::string> program = FindProgram(o.command[0]);
  if (!program) {
    return MakeError(ErrorCode::kNotFound, "run: " + o.command[0] + ": command not found");
  }
  // The command takes this process's place: its pid, signals and exit code
  // are the ones the caller sees, and no copy of the values stays behind.
  std::fflush(nullptr);
  ::execve(program->c_str(), argv.data(), envp.data());
  return MakeError(ErrorCode::kIo, "run: cannot execute " + *program + ": " + std::strerror(errno));
}

}  // namespace tresor::cli
