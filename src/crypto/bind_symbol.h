// Looking up a function of a library loaded with dlopen (libcrypto for bulk
// ChaCha20-Poly1305, libssl for the server's TLS), typed by its prototype.
#pragma once

#include <dlfcn.h>

namespace tresor::crypto {

// Sets `*fn` to `name` in `library`; false if it is missing.
template <typename Fn>
bool BindSymbol(void* library, const char* name, Fn* fn) {
  *fn = reinterpret_cast<Fn>(::dlsym(library, name));
  return *fn != nullptr;
}

}  // namespace tresor::crypto
