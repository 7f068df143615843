// The auth methods that can be enabled: a new one is a folder with a Method
// and a line here.
#include "server/auth/method.h"
#include "server/type_names.h"

namespace tresor::server::auth {
namespace {

constexpr Type kTypes[] = {
    {"userpass", "users with passwords", MakeUserpass},
    {"approle", "machines with a role ID and a secret ID", MakeAppRole},
    {"jwt", "workloads and CI jobs with a JWT their identity provider signed", MakeJwt},
};

}  // namespace

std::span<const Type> Types() { return kTypes; }
const Type* FindType(std::string_view name) { return FindByName(Types(), name); }

}  // namespace tresor::server::auth
