// The server's background work, once a second (Api::Sweep): storage
// recovery after a failed write, and, on the node that leads, expired
// tokens, wrapped answers and the cubbyholes of removed tokens.
#include "server/api.h"
#include "server/cubbyhole.h"
#include "server/wrapping.h"
#include "store/pending_writes.h"

namespace tresor::server {

void Api::RecoverStorage() {
  // The state in memory may hold writes the disk never took (each refused
  // write marks it stale): it is read again from storage, which now shows
  // only what is durable, within a second, and always before writes are
  // let through, so nothing answered 500 is served afterwards.
  if (state_stale_.exchange(false)) {
    if (auto core = this->core()) {
      auto reloaded = Core::Load(core->shared_barrier());
      if (!reloaded) {
        state_stale_ = true;
        if (options_.log) {
          options_.log("error", "storage: cannot reload the state after a failed write",
                       Json{{"error", reloaded.error().message}});
        }
        return;
      }
      std::atomic_store(&core_, std::shared_ptr<Core>(std::move(*reloaded)));
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_recovery_) return;
  next_recovery_ = now + recovery_pause_;
  recovery_pause_ = std::min(recovery_pause_ * 2, std::chrono::seconds(60));
  if (auto recovered = options_.storage->Recover(); !recovered) {
    if (options_.log) {
      options_.log("warn", "storage: writes still stopped",
                   Json{{"error", recovered.error().message}});
    }
    return;
  }
  recovery_pause_ = std::chrono::seconds(1);
  if (options_.log) options_.log("info", "storage: writes resumed; state reloaded", Json::object());
}

// The cubbyholes of removed tokens: after removals (on any node), at most
// every five seconds, and once when this node starts leading.
void Api::SweepCubbyholesAfterRemovals(Core& core) {
  const uint64_t removals = core.tokens().removals();
  if (removals == cubbyholes_swept_for_ || sweeps_ - cubbyholes_swept_at_ < 5) return;
  SweepCubbyholes(core.barrier(), core.tokens());
  cubbyholes_swept_for_ = removals;
  cubbyholes_swept_at_ = sweeps_;
}

void Api::Sweep() {
  if (options_.storage->Failure() || state_stale_) return RecoverStorage();
  ReloadLostCore();
  if (auto core = this->core()) {
    core->ExpireWaits(std::chrono::steady_clock::now() - options_.index_wait);
    // Once for all the nodes: by the one that leads.
    if (membership_->Leading()) {
      (void)core->tokens().Sweep();
      // What expired wrapping tokens held: unusable already (the token is
      // gone), so removed only once a minute.
      if (++sweeps_ % 60 == 0) SweepWrapped(core->barrier());
      SweepCubbyholesAfterRemovals(*core);
    }
  }
  // Sealed or not: the records are saved as stored.
  if (options_.snapshots) options_.snapshots->Tick(membership_->Leading());
  StoreAuditHead();
  (void)store::TakeNotedWrites();  // nobody waits for these
}

}  // namespace tresor::server
