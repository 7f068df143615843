// Key ranges for listing by prefix, shared by the storage implementations.
#pragma once

#include <string>

namespace tresor::store {

// Where a listing of `prefix` after `start_after` begins (inclusive: the
// caller skips `start_after` itself).
inline const std::string& ListStart(const std::string& prefix, const std::string& start_after) {
  return start_after > prefix ? start_after : prefix;
}

// The first key after every key that starts with `prefix`: keys are UTF-8,
// which never contains the byte 0xff.
inline std::string PrefixEnd(const std::string& prefix) { return prefix + '\xff'; }

}  // namespace tresor::store
