// The node among the nodes that share its store: joining them,
// sys/leader and sys/ha-status (Vault's shapes; "active" here is the node
// that runs the background work, as every node serves reads and writes),
// and where this node keeps its audit log's head.
#include "server/api.h"
#include "server/responses.h"
#include "server/times.h"

namespace tresor::server {

void Api::Join(const std::string& name, const std::string& address) {
  node_name_ = name;
  const Json info{
      {"api_address", address}, {"version", options_.version}, {"joined", NowRfc3339()}};
  membership_ = options_.storage->Join(name, info.dump());
  // Called once now, not first from the sweeper: UBSan checks an object's
  // dynamic type by reading it through a pipe the first time it meets the
  // type, and with every descriptor in use (a flood of connections) that
  // check fails and stops the process.
  (void)membership_->Leading();
  joined_.store(true, std::memory_order_release);
}

std::string Api::AuditHeadPath() const {
  // Each node has its own log, so its own head; alone on its store, the
  // node keeps it where it always has.
  if (!options_.storage->remote()) return kAuditHeadPath;
  std::string path = kAuditHeadPath;
  path.append("/").append(node_name_);
  return path;
}

namespace {

std::string AddressOf(const store::Member& member) {
  const Json info = Json::parse(member.info, nullptr, false);
  return info.is_object() ? info.value("api_address", "") : "";
}

}  // namespace

http::Response Api::LeaderResponse(const http::Request& request) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  // No token is needed here, so nothing here asks the store.
  const store::Member leader = membership_->Leader();
  return JsonResponse(200, Json{{"ha_enabled", options_.storage->remote()},
                                {"is_self", membership_->Leading()},
                                {"active_time", "0001-01-01T00:00:00Z"},
                                {"leader_address", AddressOf(leader)},
                                {"leader_cluster_address", ""},
                                {"performance_standby", false},
                                {"performance_standby_last_remote_wal", 0},
                                {"raft_committed_index", 0},
                                {"raft_applied_index", 0}});
}

http::Response Api::HaStatus(const http::Request& request, Core& core) {
  if (request.method != "GET") return Error(405, "unsupported operation");
  if (!core.Authorize(request, "sys/ha-status", acl::kRead)) return Error(403, "permission denied");
  auto members = membership_->Members();
  if (!members) return Error(503, "storage cannot be read: " + members.error().message);
  const std::string leader = membership_->Leader().name;
  Json nodes = Json::array();
  for (const store::Member& m : *members) {
    const Json info = Json::parse(m.info, nullptr, false);
    nodes.push_back(Json{{"hostname", m.name},
                         {"api_address", AddressOf(m)},
                         {"cluster_address", ""},
                         {"active_node", m.name == leader},
                         {"last_echo", nullptr},
                         {"version", info.is_object() ? info.value("version", "") : ""}});
  }
  Json body = EnvelopeJson(Json{{"nodes", nodes}});
  body["nodes"] = nodes;  // Vault answers sys/ endpoints with the data at the top as well
  return JsonResponse(200, body);
}

}  // namespace tresor::server
