#include "server/approle/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace tresor::server::approle {
namespace {

// The address in `out` (4 or 16 bytes used); false if it is neither form.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* out, bool* v6) {
  if (text.size() > 45) return false;
  const std::string s(text);
  if (::inet_pton(AF_INET, s.c_str(), out->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (::inet_pton(AF_INET6, s.c_str(), out->data()) == 1) {
    *v6 = true;
    return true;
  }
  return false;
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad CIDR block \"" + std::string(text.substr(0, 64)) + "\"");
  };
  Cidr cidr;
  const size_t slash = text.find('/');
  if (!ParseAddress(text.substr(0, slash), &cidr.bytes_, &cidr.v6_)) return bad();
  const int max = cidr.v6_ ? 128 : 32;
  cidr.prefix_ = max;
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), cidr.prefix_);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || cidr.prefix_ < 0 ||
        cidr.prefix_ > max) {
      return bad();
    }
  }
  return cidr;
}

bool Cidr::Contains(std::string_view address) const {
  std::array<uint8_t, 16> bytes{};
  bool v6 = false;
  if (!ParseAddress(address, &bytes, &v6)) return false;
  if (v6 != v6_) {
    // An IPv4 client seen through an IPv6 socket: ::ffff:a.b.c.d.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!v6 || !std::equal(kMapped, kMapped + 12, bytes.begin())) return false;
    std::copy(bytes.begin() + 12, bytes.end(), bytes.begin());
  }
  for (int bit = 0; bit < prefix_; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((bytes[bit / 8] & mask) != (bytes_[bit / 8] & mask)) return false;
  }
  return true;
}

bool AnyContains(const std::vector<std::string>& list, std::string_view address) {
  if (list.empty()) return true;
  for (const std::string& block : list) {
    auto cidr = Cidr::Parse(block);
    if (cidr && cidr->Contains(address)) return true;
  }
  return false;
}

}  // namespace tresor::server::approle
