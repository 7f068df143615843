// Identity files as every key source reads them: age's plain identity files
// and passphrase-protected ones (an identity file that is itself an age
// scrypt file, as the age tools write them).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "age/x25519.h"

namespace tresor::keys {

// Identity files are small; this bounds what a wrong path can make us read.
inline constexpr size_t kMaxIdentityFile = 1 << 20;

// Asked for a passphrase, with a prompt naming what it opens. The CLI asks
// the terminal or reads --passphrase-file; the agent answers with the
// passphrase its client sent; the library has none (a null function).
using PassphraseFn = std::function<Result<crypto::SecretBytes>(const std::string& prompt)>;

// True if `content` is passphrase-protected.
bool IsProtectedIdentity(const crypto::SecretBytes& content);

// Parses identity file bytes (`name` for messages). A protected file is
// opened with a passphrase from `passphrase` first; with a null function it
// is kRefused "NAME: passphrase-protected". A wrong passphrase is kNoMatch
// "NAME: no match: wrong passphrase for the identity file".
// With `plugins`, plugin identities are collected there (age/key_files.h).
Result<std::vector<age::X25519Identity>> ParseIdentityBytes(
    const crypto::SecretBytes& content, const std::string& name, const PassphraseFn& passphrase,
    std::vector<std::string>* plugins = nullptr);

// An identity file protected with `passphrase` (age scrypt at work factor
// `log_n`, armored), as `age-keygen | age -p -a` writes it.
Result<crypto::SecretBytes> ProtectIdentityFile(const crypto::SecretBytes& content,
                                                crypto::SecretBytes passphrase, int log_n);

// Reads and parses the identity file at `path`.
Result<std::vector<age::X25519Identity>> LoadIdentityFile(
    const std::string& path, const PassphraseFn& passphrase,
    std::vector<std::string>* plugins = nullptr);

}  // namespace tresor::keys
