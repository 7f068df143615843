// tresor key (named keys in the keyring), tresor keys (every key source),
// and tresor agent (the agent and what it holds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "formats/duration.h"

namespace tresor::cli {

struct KeyOptions {
  std::string name;         // key new|import|delete|default NAME
  std::string file;         // key import NAME FILE; agent add FILE; agent remove FILE
  bool passphrase = false;  // key new --passphrase
  int work_factor = 0;
  std::optional<std::string> passphrase_file;
  std::vector<std::string> identity_files;  // keys -i FILE
  bool json = false;
  std::string ttl;      // agent add --ttl 8h
  std::string idle;     // agent add --idle 30m
  bool all = false;     // agent remove --all
  bool yes = false;     // key delete --yes (--force)
  bool server = false;  // key delete --server: the server's transit key NAME
};

Result<void> RunKeyNew(const KeyOptions& options);
Result<void> RunKeyImport(const KeyOptions& options);
Result<void> RunKeyDelete(const KeyOptions& options);
Result<void> RunKeyDefault(const KeyOptions& options);
Result<void> RunKeyList(const KeyOptions& options);
Result<void> RunKeys(const KeyOptions& options);

Result<void> RunAgentRun(const KeyOptions& options);
Result<void> RunAgentStart(const KeyOptions& options);
Result<void> RunAgentStop(const KeyOptions& options);
Result<void> RunAgentStatus(const KeyOptions& options);
Result<void> RunAgentAdd(const KeyOptions& options);
Result<void> RunAgentList(const KeyOptions& options);
Result<void> RunAgentRemove(const KeyOptions& options);
Result<void> RunAgentLock(const KeyOptions& options);
Result<void> RunAgentUnlock(const KeyOptions& options);

using formats::ParseDuration;  // "8h", "30m", "90s", "1d", "1h30m", or plain seconds

}  // namespace tresor::cli
