// The secrets engines that can be mounted: a new one is a folder with an
// Engine and a line here.
#include "server/engines/engine.h"
#include "server/type_names.h"

namespace tresor::server::engines {
namespace {

constexpr Type kTypes[] = {
    {"kv", "kv/", 1, MakeKv},  // version 1 unless options.version says 2 (kv-v2: 2)
    {"transit", "transit/", 0, MakeTransit},
};

}  // namespace

std::span<const Type> Types() { return kTypes; }
const Type* FindType(std::string_view name) { return FindByName(Types(), name); }
std::string TypeNames() { return JoinNames(Types()); }

}  // namespace tresor::server::engines
