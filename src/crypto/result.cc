#include "crypto/result.h"

namespace tresor {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kIo:
      return "i/o";
    case ErrorCode::kRefused:
      return "refused";
    case ErrorCode::kArmor:
      return "armor";
    case ErrorCode::kHeader:
      return "header";
    case ErrorCode::kNoMatch:
      return "no match";
    case ErrorCode::kHmac:
      return "header mac";
    case ErrorCode::kPayload:
      return "payload";
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kIntegrity:
      return "integrity";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kCompacted:
      return "compacted";
    case ErrorCode::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace tresor
