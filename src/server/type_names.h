// Lookups in the registries of secrets engines and auth methods: tables of
// types, each with a `name`.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace tresor::server {

// The type called `name` in `types`; null if none.
template <typename T>
const T* FindByName(std::span<const T> types, std::string_view name) {
  for (const T& type : types) {
    if (name == type.name) return &type;
  }
  return nullptr;
}

// The names in order, as a sentence lists them: "kv, transit and pki".
template <typename T>
std::string JoinNames(std::span<const T> types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += i + 1 == types.size() ? " and " : ", ";
    out += types[i].name;
  }
  return out;
}

}  // namespace tresor::server
