// What the web UI's audit view reads: the newest lines of the audit log,
// filtered by path, caller and time, with the chain checked over what was
// read. Values in the lines are HMACs already; nothing here reveals more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/log.h"

namespace tresor::audit {

struct ViewFilter {
  std::string path_prefix = {};  // relative to /v1/ ("secret/data/app"); "" for all
  std::string caller = {};       // a display name or an accessor, exactly; "" for all
  std::string since = {};        // fixed-width RFC 3339 (NormalizeTime); "" for no bound
  std::string until = {};
  uint64_t before_seq = 0;  // only lines before this seq (0: no bound), for paging
  size_t limit = 100;
};

// "2026-12-07T15:00:00Z" or with a fraction -> the log's fixed-width form
// ("2026-12-07T15:00:00.000000000Z"), so that times compare as strings.
// kInvalidArgument for anything but a UTC time in that shape.
Result<std::string> NormalizeTime(std::string_view text);

// One request as the view shows it: its response line (its status) with who
// asked, or a gap line.
struct ViewEntry {
  uint64_t seq = 0;
  std::string time, type, operation, path, display_name, accessor, remote_address;
  int status = 0;
};

struct ViewPage {
  std::vector<ViewEntry> entries;  // newest first, at most filter.limit
  bool more = false;               // older matching lines exist in what was read
  // The chain over what was read: the lines' links and hashes, and whether
  // it holds the log's head as it was when the request began.
  uint64_t first_seq = 0, last_seq = 0, lines = 0;
  bool from_start = false;  // what was read starts at the file's first line
  bool verified = false;
  bool holds_head = false;
  std::string problem;  // why not verified ("line 12: a wrong prev")
};

// Answers `filter` from `tail`, the end of the log (whole lines; a last line
// without its newline is left out, as one still being written), newest
// first. `head` is the log's head, taken before `tail` was read.
ViewPage ReadView(std::string_view tail, bool from_start, const ChainPoint& head,
                  const ViewFilter& filter);

// The last `window` bytes of the file at `path`, from a line's start;
// *from_start says whether that is the file's start. kNotFound, kIo.
Result<std::string> ReadTail(const std::string& path, size_t window, bool* from_start);

}  // namespace tresor::audit
