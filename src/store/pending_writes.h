// Which storage batches the current request submitted. The barrier notes
// each batch it submits; the API takes the note when the handler returns
// and holds the response until that batch is durable. Per thread: a request
// runs on one thread from start to reply.
#pragma once

#include <cstdint>

namespace tresor::store {

struct NotedWrites {
  uint64_t seq = 0;          // the highest batch submitted; 0 for none
  bool failed = false;       // a submission was refused (the storage has failed)
  bool unreachable = false;  // ... because the store could not be reached
};

// Records that this thread's request submitted batch `seq`.
void NoteWrite(uint64_t seq);
// Records that a submission was refused (`unreachable`: no answer from
// the store).
void NoteWriteFailure(bool unreachable = false);
// What was noted since the last call, and forgets it.
NotedWrites TakeNotedWrites();

}  // namespace tresor::store
