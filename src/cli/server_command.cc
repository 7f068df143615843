#include "cli/server_command.h"

#include <csignal>
#include <cstdio>

#include "audit/log.h"
#include "cli/files.h"
#include "cli/key_commands.h"
#include "formats/document.h"
#include "http/server.h"
#include "server/api.h"

namespace tresor::cli {
namespace {

// "HOST:PORT" into its parts; the host must be an IPv4 address.
Result<std::pair<std::string, int>> SplitListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "--listen wants HOST:PORT, got " + listen);
  }
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, "--listen: bad port " + port_text);
  }
  return std::pair{listen.substr(0, colon), static_cast<int>(port)};
}

}  // namespace

Result<void> RunServerCommand(const ServerOptions& options) {
  if (!options.dev) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tresor server runs only with --dev so far (a persistent server with "
                     "--config is being built)");
  }
  TRESOR_ASSIGN_OR_RETURN(auto listen, SplitListen(options.listen));
  const bool loopback = listen.first.starts_with("127.");
  if (!loopback && !options.insecure_listen) {
    return MakeError(ErrorCode::kRefused, "plain HTTP is only served on loopback; " + listen.first +
                                              " needs TLS, or --insecure-listen if you mean it");
  }
  const std::string token = options.root_token.empty() ? server::NewToken() : options.root_token;
  server::ApiOptions api_options{token, TRESOR_VERSION, nullptr};
  if (!options.audit_file.empty()) {
    TRESOR_ASSIGN_OR_RETURN(auto log, audit::AuditLog::Open(options.audit_file));
    api_options.audit = std::move(log);
  }
  auto api = std::make_shared<server::Api>(std::move(api_options));

  // Workers inherit the mask: only this thread takes SIGINT and SIGTERM.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  http::ServerOptions http_options;
  http_options.host = listen.first;
  http_options.port = listen.second;
  TRESOR_ASSIGN_OR_RETURN(const int64_t request_timeout, ParseDuration(options.request_timeout));
  TRESOR_ASSIGN_OR_RETURN(const int64_t idle_timeout, ParseDuration(options.idle_timeout));
  http_options.request_timeout_ms = static_cast<int>(request_timeout * 1000);
  http_options.idle_timeout_ms = static_cast<int>(idle_timeout * 1000);
  TRESOR_ASSIGN_OR_RETURN(auto server,
                          http::Server::Start(http_options, [api](const http::Request& request) {
                            return api->Handle(request);
                          }));
  std::printf(
      "tresor server: development mode: in memory and unsealed; everything is lost when it "
      "stops\nlistening on http://%s:%d\nroot token: %s\n",
      listen.first.c_str(), server->port(), token.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  std::fprintf(stderr, "tresor server: stopping\n");
  return {};
}

Result<void> RunAuditVerify(const AuditVerifyOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(options.file, size_t{1} << 36));
  auto report = audit::Verify(text);
  if (!report) return WithPlace(options.file, std::move(report).error());
  if (options.json) {
    std::printf("{\"file\":%s,\"lines\":%llu,\"last_hash\":\"%s\"}\n",
                formats::EscapedString(options.file).c_str(),
                static_cast<unsigned long long>(report->lines), report->last_hash.c_str());
  } else {
    std::printf("%s: %llu lines, chain intact; last hash %s\n", options.file.c_str(),
                static_cast<unsigned long long>(report->lines), report->last_hash.c_str());
  }
  return {};
}

}  // namespace tresor::cli
