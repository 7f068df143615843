// CIDR blocks ("10.0.0.0/8", "2001:db8::/32", or one address) and whether
// an address is inside one, for AppRole's bound CIDRs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::server::approle {

class Cidr {
 public:
  // kInvalidArgument "bad CIDR block \"TEXT\"".
  static Result<Cidr> Parse(std::string_view text);
  // True if `address` (an IPv4 or IPv6 address as text) is inside.
  bool Contains(std::string_view address) const;

 private:
  std::array<uint8_t, 16> bytes_{};
  bool v6_ = false;
  int prefix_ = 0;
};

// True if `list` is empty or one of its blocks holds `address`; `list`
// was checked when it was stored, so a block that does not parse matches
// nothing.
bool AnyContains(const std::vector<std::string>& list, std::string_view address);

}  // namespace tresor::server::approle
