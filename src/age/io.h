// Byte streams for the age codec: Source, Sink and a buffering Reader.
//
// Payload data moves through these in large blocks so that a 256 MiB file
// costs a few hundred system calls, and the Reader hands out views into its
// own buffer so the payload is decrypted without an extra copy. The Reader's
// buffer is SecretBytes because it carries plaintext when encrypting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::age {

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to out.size() bytes; 0 means end of stream.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Writes all of `data` or fails.
  virtual Result<void> Write(std::span<const uint8_t> data) = 0;
};

// Reads a file descriptor it does not own. `name` is used in error messages.
class FdSource : public Source {
 public:
  FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  int fd_;
  std::string name_;
};

// Writes a file descriptor it does not own.
class FdSink : public Sink {
 public:
  FdSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<void> Write(std::span<const uint8_t> data) override;

 private:
  int fd_;
  std::string name_;
};

// Reads from memory the caller keeps alive.
class SpanSource : public Source {
 public:
  explicit SpanSource(std::span<const uint8_t> data) : data_(data) {}
  explicit SpanSource(std::string_view data)
      : data_(reinterpret_cast<const uint8_t*>(data.data()), data.size()) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  std::span<const uint8_t> data_;
};

// Appends to a vector. Plaintext written here is the caller's to protect.
class VectorSink : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override;
  std::vector<uint8_t>& data() { return data_; }

 private:
  std::vector<uint8_t> data_;
};

// Collects exactly `size` decrypted bytes (a wrapped key) in SecretBytes.
// More is kIntegrity with `error`, and so is Take() when fewer came.
class FixedSecretSink : public Sink {
 public:
  FixedSecretSink(size_t size, std::string error) : bytes_(size), error_(std::move(error)) {}
  Result<void> Write(std::span<const uint8_t> data) override;
  Result<crypto::SecretBytes> Take();

 private:
  crypto::SecretBytes bytes_;
  size_t size_ = 0;
  std::string error_;
};

// Buffers a Source for parsing (lines, lookahead) and bulk reads.
class Reader {
 public:
  // `capacity` bounds the largest Peek and the longest line. The buffer
  // starts small and doubles on refills up to `capacity`, so a 100-byte file
  // does not pay for locking a megabyte.
  Reader(Source& source, size_t capacity);

  // Returns a view of the next min(n, bytes left in the stream) bytes without
  // consuming them. n must not exceed the capacity. The view is valid until
  // the next call on this Reader.
  Result<std::span<const uint8_t>> Peek(size_t n);

  // Drops n bytes that a Peek returned.
  void Consume(size_t n);

  // Reads one line including its '\n' (without it if the stream ends first);
  // an empty view means end of stream. A line longer than `max` bytes fails
  // with `too_long_code`.
  Result<std::string_view> ReadLine(size_t max, ErrorCode too_long_code);

  // True at end of stream.
  Result<bool> AtEnd();

  // Fills `out` with the next bytes of the stream: buffered ones first, then
  // straight from the source without passing through the buffer (for bulk
  // payload reads). Returns the bytes read, fewer than out.size() only at the
  // end of the stream. After an error the bytes read so far are lost.
  Result<size_t> ReadFull(std::span<uint8_t> out);

  // Bytes consumed so far, for error messages.
  uint64_t offset() const { return offset_; }

 private:
  void Grow(size_t at_least);

  Source& source_;
  size_t capacity_;
  crypto::SecretBytes buffer_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last buffered byte
  bool eof_ = false;
  uint64_t offset_ = 0;
};

}  // namespace tresor::age
