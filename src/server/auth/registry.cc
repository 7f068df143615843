// The auth methods that can be enabled: a new one is a folder with a Method
// and a line here.
#include "server/auth/method.h"

namespace tresor::server::auth {
namespace {

constexpr Type kTypes[] = {
    {"userpass", "users with passwords", MakeUserpass},
    {"approle", "machines with a role ID and a secret ID", MakeAppRole},
    {"jwt", "workloads and CI jobs with a JWT their identity provider signed", MakeJwt},
};

}  // namespace

std::span<const Type> Types() { return kTypes; }

const Type* FindType(std::string_view name) {
  for (const Type& type : kTypes) {
    if (name == type.name) return &type;
  }
  return nullptr;
}

}  // namespace tresor::server::auth
