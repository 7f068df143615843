// The transit secrets engine as a mount sees it.
#include "server/engines/engine.h"
#include "server/tools.h"
#include "server/transit/transit.h"

namespace tresor::server {
namespace {

class TransitEngine : public engines::Engine {
 public:
  TransitEngine(store::Barrier& barrier, const std::string& prefix) : transit_(barrier, prefix) {}

  // encrypt and keys/NAME create a key that is not there.
  Result<bool> WriteCreates(const std::string& rest) override { return transit_.Creates(rest); }
  http::Response Handle(const http::Request& request, const std::string& rest,
                        const nlohmann::json& body) override {
    if (rest.starts_with("random") || rest.starts_with("hash")) {
      return Tools(request, "sys/tools/" + rest, body);  // transit/random, transit/hash
    }
    return transit_.Handle(request, rest, body);
  }
  void Close() override { transit_.Close(); }
  void Changed(const std::string& rest, uint64_t revision) override {
    transit_.Changed(rest, revision);
  }

 private:
  transit::Transit transit_;
};

}  // namespace

std::shared_ptr<engines::Engine> engines::MakeTransit(store::Barrier& barrier,
                                                      const std::string& prefix, int) {
  return std::make_shared<TransitEngine>(barrier, prefix);
}

}  // namespace tresor::server
