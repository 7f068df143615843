#include "audit/view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tresor::audit {
namespace {

bool Digits(std::string_view text, size_t from, size_t count) {
  if (from + count > text.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

std::string Field(const Json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

ViewEntry EntryOf(const Json& line) {
  ViewEntry entry;
  entry.seq = line.value("seq", uint64_t{0});
  entry.time = Field(line, "time");
  entry.type = Field(line, "type");
  if (const auto auth = line.find("auth"); auth != line.end() && auth->is_object()) {
    entry.display_name = Field(*auth, "display_name");
    entry.accessor = Field(*auth, "accessor");
  }
  if (const auto about = line.find("request"); about != line.end() && about->is_object()) {
    entry.operation = Field(*about, "operation");
    entry.path = Field(*about, "path");
    if (entry.path.starts_with("/v1/")) entry.path.erase(0, 4);
    entry.remote_address = Field(*about, "remote_address");
  }
  if (const auto response = line.find("response");
      response != line.end() && response->is_object()) {
    const auto status = response->find("status");
    if (status != response->end() && status->is_number_integer()) entry.status = status->get<int>();
  }
  return entry;
}

bool Matches(const ViewEntry& entry, const ViewFilter& filter) {
  if (filter.before_seq != 0 && entry.seq >= filter.before_seq) return false;
  if (!entry.path.starts_with(filter.path_prefix)) return false;
  if (!filter.caller.empty() && entry.display_name != filter.caller &&
      entry.accessor != filter.caller) {
    return false;
  }
  if (!filter.since.empty() && entry.time < filter.since) return false;
  if (!filter.until.empty() && entry.time > filter.until) return false;
  return true;
}

// Calls `each` with every line of `text` that is a JSON object, the last
// line first, until it returns false.
template <typename Each>
void EachLineFromEnd(std::string_view text, Each each) {
  size_t end = text.size();  // one past the newline that ends the line
  while (end > 0) {
    const size_t newline = end >= 2 ? text.rfind('\n', end - 2) : std::string_view::npos;
    const size_t from = newline == std::string_view::npos ? 0 : newline + 1;
    const Json line = Json::parse(text.substr(from, end - 1 - from), nullptr, false);
    end = from;
    if (line.is_object() && !each(line)) return;
  }
}

}  // namespace

Result<std::string> NormalizeTime(std::string_view text) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a UTC time like 2026-12-07T15:00:00Z, got \"" +
                         std::string(text.substr(0, 40)) + "\"");
  };
  // YYYY-MM-DDTHH:MM:SS
  if (!Digits(text, 0, 4) || text.size() < 20 || text[4] != '-' || !Digits(text, 5, 2) ||
      text[7] != '-' || !Digits(text, 8, 2) || text[10] != 'T' || !Digits(text, 11, 2) ||
      text[13] != ':' || !Digits(text, 14, 2) || text[16] != ':' || !Digits(text, 17, 2) ||
      text.back() != 'Z') {
    return bad();
  }
  std::string fraction;
  if (text[19] == '.') {
    fraction = std::string(text.substr(20, text.size() - 21));
    if (fraction.empty() || fraction.size() > 9 || !Digits(fraction, 0, fraction.size())) {
      return bad();
    }
  } else if (text.size() != 20) {
    return bad();
  }
  fraction.resize(9, '0');
  return std::string(text.substr(0, 19)) + "." + fraction + "Z";
}

ViewPage ReadView(std::string_view tail, bool from_start, const ChainPoint& head,
                  const ViewFilter& filter) {
  ViewPage page;
  page.from_start = from_start;
  // What follows the last newline is a line still being written: not ours yet.
  tail = tail.substr(0, tail.rfind('\n') == std::string_view::npos ? 0 : tail.rfind('\n') + 1);
  auto checked = Verify(tail, from_start ? std::optional<ChainPoint>(ChainPoint{}) : std::nullopt);
  if (checked) {
    page.verified = true;
    page.lines = checked->lines;
    page.first_seq = checked->lines ? checked->before.seq + 1 : 0;
    page.last_seq = checked->last.seq;
  } else {
    page.problem = checked.error().message;
  }
  // The log's head when the request began (lines may have come since): the
  // chain read holds it, unchanged.
  EachLineFromEnd(tail, [&](const Json& line) {
    const uint64_t seq = line.value("seq", uint64_t{0});
    if (seq == head.seq) page.holds_head = page.verified && Field(line, "hash") == head.hash;
    return seq > head.seq;
  });
  EachLineFromEnd(tail, [&](const Json& line) {
    const std::string type = Field(line, "type");
    if (type != "response" && type != "gap") return true;
    ViewEntry entry = EntryOf(line);
    if (!Matches(entry, filter)) return true;
    if (page.entries.size() == filter.limit) {
      page.more = true;
      return false;
    }
    page.entries.push_back(std::move(entry));
    return true;
  });
  return page;
}

Result<std::string> ReadTail(const std::string& path, size_t window, bool* from_start) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return MakeError(ErrorCode::kIo, path + ": " + std::strerror(error));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const size_t take = std::min(size, window);
  std::string text(take, '\0');
  size_t got = 0;
  while (got < take) {
    const ssize_t n =
        ::pread(fd, text.data() + got, take - got, static_cast<off_t>(size - take + got));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  *from_start = take == size;
  if (!*from_start) {  // the window starts inside a line: drop it
    const size_t newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
  }
  return text;
}

}  // namespace tresor::audit
