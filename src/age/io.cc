#include "age/io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tresor::age {

Result<size_t> FdSource::Read(std::span<uint8_t> out) {
  while (true) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return MakeError(ErrorCode::kIo, name_ + ": read failed: " + std::strerror(errno));
  }
}

Result<void> FdSink::Write(std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, name_ + ": write failed: " + std::strerror(errno));
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

Result<size_t> SpanSource::Read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), data_.size());
  if (n > 0) std::memcpy(out.data(), data_.data(), n);
  data_ = data_.subspan(n);
  return n;
}

Result<void> VectorSink::Write(std::span<const uint8_t> data) {
  data_.insert(data_.end(), data.begin(), data.end());
  return {};
}

Reader::Reader(Source& source, size_t capacity) : source_(source), capacity_(capacity) {}

void Reader::Grow(size_t at_least) {
  const size_t size = std::min(capacity_, std::max({at_least, 2 * buffer_.size(), size_t{4096}}));
  crypto::SecretBytes grown(size);
  if (end_ > begin_) {
    std::memcpy(grown.Mutable().data(), buffer_.Reveal().data() + begin_, end_ - begin_);
  }
  end_ -= begin_;
  begin_ = 0;
  buffer_ = std::move(grown);
}

Result<std::span<const uint8_t>> Reader::Peek(size_t n) {
  TRESOR_CHECK(n <= capacity_, "Reader::Peek beyond capacity");
  while (end_ - begin_ < n && !eof_) {
    if (end_ == buffer_.size()) {
      if (begin_ > 0 && buffer_.size() - begin_ < n) {
        // Room for n bytes exists once consumed bytes are dropped: compact.
        uint8_t* buf = buffer_.Mutable().data();
        std::memmove(buf, buf + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      // Grow by doubling as data arrives, not to n at once: peeking a
      // megabyte of a 100-byte file must not lock a megabyte.
      if (end_ == buffer_.size()) Grow(end_ - begin_ + 1);
    }
    uint8_t* buf = buffer_.Mutable().data();
    TRESOR_ASSIGN_OR_RETURN(size_t got, source_.Read({buf + end_, buffer_.size() - end_}));
    if (got == 0) eof_ = true;
    end_ += got;
  }
  return std::span<const uint8_t>(buffer_.Reveal().data() + begin_, std::min(n, end_ - begin_));
}

void Reader::Consume(size_t n) {
  TRESOR_CHECK(n <= end_ - begin_, "Reader::Consume beyond buffered data");
  begin_ += n;
  offset_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

Result<std::string_view> Reader::ReadLine(size_t max, ErrorCode too_long_code) {
  size_t want = std::min<size_t>(128, max + 1);
  while (true) {
    TRESOR_ASSIGN_OR_RETURN(auto view, Peek(want));
    const auto* nl = static_cast<const uint8_t*>(std::memchr(view.data(), '\n', view.size()));
    size_t line_len = 0;
    if (nl != nullptr) {
      line_len = static_cast<size_t>(nl - view.data()) + 1;
    } else if (view.size() < want) {
      line_len = view.size();  // end of stream without a newline
    } else if (want > max) {
      return MakeError(too_long_code, "line longer than " + std::to_string(max) + " bytes");
    } else {
      want = std::min(want * 2, max + 1);
      continue;
    }
    if (line_len > max) {
      return MakeError(too_long_code, "line longer than " + std::to_string(max) + " bytes");
    }
    std::string_view line(reinterpret_cast<const char*>(view.data()), line_len);
    Consume(line_len);
    return line;
  }
}

Result<size_t> Reader::ReadFull(std::span<uint8_t> out) {
  size_t n = std::min(out.size(), end_ - begin_);
  if (n > 0) {
    std::memcpy(out.data(), buffer_.Reveal().data() + begin_, n);
    Consume(n);
  }
  while (n < out.size() && !eof_) {
    TRESOR_ASSIGN_OR_RETURN(size_t got, source_.Read(out.subspan(n)));
    if (got == 0) eof_ = true;
    n += got;
    offset_ += got;
  }
  return n;
}

Result<bool> Reader::AtEnd() {
  TRESOR_ASSIGN_OR_RETURN(auto view, Peek(1));
  return view.empty();
}

Result<void> FixedSecretSink::Write(std::span<const uint8_t> data) {
  if (size_ + data.size() > bytes_.size()) return MakeError(ErrorCode::kIntegrity, error_);
  std::copy(data.begin(), data.end(), bytes_.Mutable().begin() + static_cast<ptrdiff_t>(size_));
  size_ += data.size();
  return {};
}

Result<crypto::SecretBytes> FixedSecretSink::Take() {
  if (size_ != bytes_.size()) return MakeError(ErrorCode::kIntegrity, error_);
  return std::move(bytes_);
}

}  // namespace tresor::age
