// The audit log's head kept in the store, so that a log cut while the
// server was down stops the next unseal (docs/api.md, audit).
#include "server/api.h"
#include "server/records.h"

namespace tresor::server {

Result<void> Api::CheckAuditHead(Core& core) {
  const std::string at = AuditHeadPath();
  TRESOR_ASSIGN_OR_RETURN(auto stored, GetRecord(core.barrier(), at));
  if (!stored) return {};
  if (!stored->is_object() || !(*stored)["seq"].is_number_unsigned() ||
      !(*stored)["hash"].is_string()) {
    return MakeError(ErrorCode::kIntegrity, at + ": not a chain point");
  }
  const audit::ChainPoint expected{(*stored)["seq"].get<uint64_t>(),
                                   (*stored)["hash"].get<std::string>()};
  auto holds = options_.audit->CheckHolds(expected);
  if (holds) return {};
  if (!options_.audit_accept_gap) {
    return MakeError(
        ErrorCode::kIntegrity,
        holds.error().message + " (--audit-accept-gap records the gap in the log and goes on)");
  }
  return options_.audit->AppendGap(expected);
}

void Api::StoreAuditHead() {
  auto core = this->core();
  if (!options_.audit || core == nullptr) return;
  const std::lock_guard lock(audit_head_mutex_);
  const audit::ChainPoint head = options_.audit->Head();
  if (head.seq == stored_audit_seq_) return;
  if (!options_.audit->Sync()) return;  // tried again next time
  PutRecord(core->barrier(), AuditHeadPath(), Json{{"seq", head.seq}, {"hash", head.hash}});
  stored_audit_seq_ = head.seq;
}

}  // namespace tresor::server
