// GET sys/audit-log: the newest lines of the audit log for the web UI's
// audit view (who did what on which path, and when), filtered, with the
// chain checked over what was read. tresor's own endpoint (docs/api.md).
#include <charconv>

#include "audit/view.h"
#include "server/api.h"

namespace tresor::server {
namespace {

// At most this much of the log's end is read for one request (about ten
// thousand requests): bounded work, on the pool, whatever the log's size.
constexpr size_t kWindow = 8 << 20;
constexpr size_t kMaxLimit = 1000;

Result<size_t> Count(const std::string* text, size_t fallback, size_t most, const char* name) {
  if (text == nullptr) return fallback;
  size_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value > most) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": expected a whole number up to " + std::to_string(most));
  }
  return value;
}

Result<audit::ViewFilter> FilterOf(const http::Request& request) {
  audit::ViewFilter filter;
  if (const auto* path = request.Query("path")) filter.path_prefix = *path;
  if (const auto* caller = request.Query("caller")) filter.caller = *caller;
  for (auto [name, bound] :
       {std::pair{"since", &filter.since}, std::pair{"until", &filter.until}}) {
    if (const auto* text = request.Query(name); text && !text->empty()) {
      auto time = audit::NormalizeTime(*text);
      if (!time)
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(name) + ": " + time.error().message);
      *bound = std::move(*time);
    }
  }
  TRESOR_ASSIGN_OR_RETURN(filter.limit, Count(request.Query("limit"), 100, kMaxLimit, "limit"));
  if (filter.limit == 0) filter.limit = 100;
  TRESOR_ASSIGN_OR_RETURN(auto before, Count(request.Query("before"), 0, SIZE_MAX, "before"));
  filter.before_seq = before;
  return filter;
}

Json JsonOf(const audit::ViewPage& page) {
  Json entries = Json::array();
  for (const audit::ViewEntry& entry : page.entries) {
    entries.push_back({{"seq", entry.seq},
                       {"time", entry.time},
                       {"type", entry.type},
                       {"operation", entry.operation},
                       {"path", entry.path},
                       {"display_name", entry.display_name},
                       {"accessor", entry.accessor},
                       {"remote_address", entry.remote_address},
                       {"status", entry.status}});
  }
  return Json{{"entries", std::move(entries)},
              {"more", page.more},
              {"chain",
               {{"verified", page.verified},
                {"problem", page.problem},
                {"lines", page.lines},
                {"first_seq", page.first_seq},
                {"last_seq", page.last_seq},
                {"from_start", page.from_start},
                {"holds_head", page.holds_head}}}};
}

}  // namespace

http::Response Api::AuditHead(Core& core, const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  if (!core.Authorize(request, "sys/audit-head", acl::kRead))
    return Error(403, "permission denied");
  if (!options_.audit) return Error(404, "the server keeps no audit log");
  const audit::ChainPoint head = options_.audit->Head();
  return Envelope(200, Json{{"seq", head.seq}, {"hash", head.hash}});
}

http::Response Api::AuditLogView(Core& core, const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  if (!core.Authorize(request, "sys/audit-log", acl::kRead)) return Error(403, "permission denied");
  if (!options_.audit) return Error(404, "the server keeps no audit log");
  auto filter = FilterOf(request);
  if (!filter) return Error(400, filter.error().message);
  // Reading and checking up to 8 MiB takes tens of milliseconds: not on a worker.
  return OnLoginPool([audit = options_.audit, filter = std::move(*filter)] {
    const audit::ChainPoint head = audit->Head();
    bool from_start = false;
    auto tail = audit::ReadTail(audit->path(), kWindow, &from_start);
    if (!tail) return Error(500, "the audit log cannot be read: " + tail.error().message);
    return Envelope(200, JsonOf(audit::ReadView(*tail, from_start, head, filter)));
  });
}

}  // namespace tresor::server
