// The nodes that share one store, and which of them runs the work only one
// node may run (expiry of tokens; later, snapshots). On a store of its own
// (memory, SQLite) a node is the only member and always leads; on etcd
// every node keeps an entry alive under a lease, and the leader is the
// node whose lease holds the leader key (docs/cluster.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::store {

struct Member {
  std::string name;
  std::string info;  // what the node said of itself when it joined (JSON)
};

// Thread-safe. Destroying it leaves: the entry and the role go at once.
class Membership {
 public:
  virtual ~Membership() = default;
  // True while this node holds the role, and false as soon as it may have
  // lost it (its lease not renewed in time): two nodes never both believe
  // they lead, unless a clock runs faster than the store's.
  virtual bool Leading() const = 0;
  // The leader as last seen, with what it said of itself (name "" while
  // there is none). Known without asking the store.
  virtual Member Leader() const = 0;
  // Every live member, this one included, in name order.
  virtual Result<std::vector<Member>> Members() = 0;
};

// A node alone on its store.
class SoleMembership final : public Membership {
 public:
  SoleMembership(std::string name, std::string info) : self_{std::move(name), std::move(info)} {}
  bool Leading() const override { return true; }
  Member Leader() const override { return self_; }
  Result<std::vector<Member>> Members() override { return std::vector<Member>{self_}; }

 private:
  Member self_;
};

}  // namespace tresor::store
