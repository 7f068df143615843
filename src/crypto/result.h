// Result<T>: a value or an Error, with the member names of std::expected so
// that a later switch to C++23 is a rename. tresor code does not throw; every
// operation that can fail returns a Result.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace tresor {

// What went wrong, as a class a caller can act on. The age failure classes
// mirror the C2SP conformance vectors.
enum class ErrorCode {
  kInvalidArgument,  // the caller passed something malformed (a bad key string)
  kIo,               // reading or writing a file or stream failed
  kRefused,          // an unsafe operation was refused (overwrite, loose permissions)
  kArmor,            // ASCII armor is malformed
  kHeader,           // the age header is malformed or unsupported
  kNoMatch,          // no identity opened any recipient stanza
  kHmac,             // the header MAC did not verify
  kPayload,          // the payload is truncated, tampered with or has trailing data
  kSyntax,           // a configuration file does not parse (message has line:col)
  kIntegrity,        // a sealed value or a sealed file's MAC does not verify
  kNotFound,         // a path names no value in the file
  kInternal,         // a library call failed where it should not
  kCompacted,        // a storage watch asked for history the store no longer keeps
  kUnavailable,      // a storage service (etcd) cannot be reached in time
};

// A short lowercase name for the class ("header", "no match"), used in messages.
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // lowercase, no final period, never contains a secret
};

// Prepends a place ("file.age: ") to an error's message, keeping its code.
// A message that starts with a location ("3:8: ...", "3: ...") is joined
// in the GNU form editors and CI annotate: "file.toml:3:8: ...".
inline Error WithPlace(std::string_view place, Error error) {
  size_t digits = 0;
  while (digits < error.message.size() && error.message[digits] >= '0' &&
         error.message[digits] <= '9') {
    ++digits;
  }
  const bool located = digits > 0 && digits < error.message.size() && error.message[digits] == ':';
  error.message = std::string(place) + (located ? ":" : ": ") + error.message;
  return error;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return *CheckedValue(); }
  const T& value() const& { return *const_cast<Result*>(this)->CheckedValue(); }
  T&& value() && { return std::move(*CheckedValue()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  T* CheckedValue() {
    if (!has_value()) {
      std::fprintf(stderr, "tresor: value() on an error result: %s\n",
                   std::get<1>(state_).message.c_str());
      std::abort();
    }
    return &std::get<0>(state_);
  }
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, {}};
  bool ok_ = true;
};

// Shorthands for building errors at a call site.
inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace tresor

#define TRESOR_CONCAT_INNER_(a, b) a##b
#define TRESOR_CONCAT_(a, b) TRESOR_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result) from the enclosing function.
#define TRESOR_RETURN_IF_ERROR(expr)                               \
  do {                                                             \
    auto tresor_status_ = (expr);                                  \
    if (!tresor_status_) return std::move(tresor_status_).error(); \
  } while (false)

// `lhs = value of expr`, or returns its error from the enclosing function.
#define TRESOR_ASSIGN_OR_RETURN(lhs, expr) \
  TRESOR_ASSIGN_OR_RETURN_IMPL_(TRESOR_CONCAT_(tresor_result_, __LINE__), lhs, expr)
#define TRESOR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp) return std::move(tmp).error();            \
  lhs = std::move(tmp).value()

// An invariant that holds whatever the input; a failure is a bug, so it crashes.
#define TRESOR_CHECK(cond, msg)                                                             \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "tresor: check failed at %s:%d: %s\n", __FILE__, __LINE__, msg); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
