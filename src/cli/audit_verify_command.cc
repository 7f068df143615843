// tresor audit verify: an audit log's hash chain, across rotated files, and
// (--server) that the running server's last line is in them.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/log.h"
#include "cli/files.h"
#include "cli/server_command.h"
#include "client/session.h"
#include "formats/document.h"

namespace tresor::cli {

using client::CallServer;
using client::Json;
using client::ServerAddress;

namespace {

// The hash of line `n` (1-based) of an audit file's text.
std::string HashOfLine(std::string_view text, uint64_t n) {
  for (uint64_t i = 1; i < n && !text.empty(); ++i) {
    const size_t nl = text.find('\n');
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  const std::string_view line = text.substr(0, text.find('\n'));
  const size_t at = line.rfind("\"hash\":\"");
  return at == std::string_view::npos ? "" : std::string(line.substr(at + 8, 64));
}

// Checks that the verified files hold `head`, the running server's last
// line; returns the file that holds it ("" if the files start after it).
Result<std::string> FindServerHead(const AuditVerifyOptions& options,
                                   const std::vector<audit::VerifyReport>& reports,
                                   const std::vector<std::string>& texts,
                                   const audit::ChainPoint& head) {
  const audit::VerifyReport& last = reports.back();
  if (head.seq > last.last.seq) {
    return MakeError(ErrorCode::kIntegrity,
                     options.files.back() + ": ends at seq " + std::to_string(last.last.seq) +
                         ", but the server has logged up to seq " + std::to_string(head.seq) +
                         ": lines were cut from its end, or the file was replaced");
  }
  for (size_t i = 0; i < reports.size(); ++i) {
    const audit::VerifyReport& r = reports[i];
    if (head.seq <= r.before.seq || head.seq > r.last.seq) continue;
    if (HashOfLine(texts[i], head.seq - r.before.seq) != head.hash) {
      return MakeError(ErrorCode::kIntegrity, options.files[i] + ": seq " +
                                                  std::to_string(head.seq) +
                                                  " is not the line the server logged there");
    }
    return options.files[i];
  }
  return std::string();
}

}  // namespace

Result<void> RunAuditVerify(const AuditVerifyOptions& options) {
  // The server's head first: the files, read after, hold at least as much.
  std::optional<audit::ChainPoint> head;
  if (options.server) {
    TRESOR_ASSIGN_OR_RETURN(Json reply,
                            CallServer(ServerAddress(options.address), "GET", "sys/audit-head"));
    const Json& data = reply["data"];
    if (!data.is_object() || !data["seq"].is_number_unsigned() || !data["hash"].is_string()) {
      return MakeError(ErrorCode::kIo, "the server's answer holds no audit head");
    }
    head = audit::ChainPoint{data["seq"].get<uint64_t>(), data["hash"].get<std::string>()};
  }
  std::vector<audit::VerifyReport> reports;
  std::vector<std::string> texts;
  std::optional<audit::ChainPoint> after;
  if (!options.continued) after = audit::ChainPoint{};
  for (const std::string& file : options.files) {
    TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(file, size_t{1} << 36));
    auto report = audit::Verify(text, after);
    if (!report) return WithPlace(file, std::move(report).error());
    after = report->last;
    reports.push_back(std::move(*report));
    if (head) texts.push_back(std::move(text));
  }
  std::string holder;
  if (head) {
    TRESOR_ASSIGN_OR_RETURN(holder, FindServerHead(options, reports, texts, *head));
  }
  for (size_t i = 0; i < reports.size(); ++i) {
    const audit::VerifyReport& r = reports[i];
    const std::string& file = options.files[i];
    if (options.json) {
      std::printf(
          "{\"file\":%s,\"lines\":%llu,\"first_seq\":%llu,\"follows\":\"%s\","
          "\"last_seq\":%llu,\"last_hash\":\"%s\"}\n",
          formats::EscapedString(file).c_str(), static_cast<unsigned long long>(r.lines),
          static_cast<unsigned long long>(r.before.seq + 1), r.before.hash.c_str(),
          static_cast<unsigned long long>(r.last.seq), r.last.hash.c_str());
    } else if (r.before.seq == 0) {
      std::printf("%s: %llu lines, chain intact; last hash %s\n", file.c_str(),
                  static_cast<unsigned long long>(r.lines), r.last.hash.c_str());
    } else {
      std::printf(
          "%s: %llu lines (seq %llu to %llu, after the line with hash %s), chain intact; "
          "last hash %s\n",
          file.c_str(), static_cast<unsigned long long>(r.lines),
          static_cast<unsigned long long>(r.before.seq + 1),
          static_cast<unsigned long long>(r.last.seq), r.before.hash.c_str(), r.last.hash.c_str());
    }
  }
  if (head) {
    const auto seq = static_cast<unsigned long long>(head->seq);
    if (options.json) {
      std::printf("{\"server_seq\":%llu,\"server_hash\":\"%s\",\"found_in\":%s}\n", seq,
                  head->hash.c_str(),
                  holder.empty() ? "null" : formats::EscapedString(holder).c_str());
    } else if (holder.empty()) {
      std::printf("server: its log's last line (seq %llu) is before these files\n", seq);
    } else {
      std::printf("server: its log's last line (seq %llu) is in %s, as it should be\n", seq,
                  holder.c_str());
    }
  }
  return {};
}

}  // namespace tresor::cli
