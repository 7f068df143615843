// libFuzzer target for snapshot streams (store/snapshot.h), which restore
// reads from a file anyone with the recipient can make: any bytes, fed in
// two pieces split where the first byte says, give the records or an error,
// the same either way, with nothing held beyond one bounded record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "store/snapshot.h"

namespace {

struct Outcome {
  std::vector<std::string> keys;
  bool ok = false;
};

Outcome Read(std::span<const uint8_t> stream, size_t split) {
  Outcome out;
  tresor::store::SnapshotReader reader(
      [&](std::string key, tresor::store::Bytes) -> tresor::Result<void> {
        out.keys.push_back(std::move(key));
        return {};
      });
  split = std::min(split, stream.size());
  if (!reader.Feed(stream.first(split)) || !reader.Feed(stream.subspan(split))) return out;
  out.ok = reader.Finish().has_value();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> stream(data + 1, size - 1);
  const Outcome whole = Read(stream, stream.size());
  const Outcome split = Read(stream, data[0]);
  if (whole.ok != split.ok || (whole.ok && whole.keys != split.keys)) std::abort();
  return 0;
}
