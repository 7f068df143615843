#include "age/bech32.h"

#include <array>

namespace tresor::age {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t Polymod(std::span<const uint8_t> values) {
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

std::vector<uint8_t> ExpandHrp(std::string_view hrp) {
  std::vector<uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

// Regroups bits from `from`-bit to `to`-bit words.
bool ConvertBits(std::span<const uint8_t> in, int from, int to, bool pad,
                 std::vector<uint8_t>& out) {
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t maxv = (1u << to) - 1;
  for (uint8_t v : in) {
    if ((v >> from) != 0) return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (to - bits)) & maxv));
  } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
    return false;
  }
  return true;
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

std::string Bech32Encode(std::string_view hrp, std::span<const uint8_t> data) {
  std::string lower_hrp;
  for (char c : hrp) lower_hrp += ToLower(c);
  std::vector<uint8_t> words;
  ConvertBits(data, 8, 5, true, words);
  std::vector<uint8_t> values = ExpandHrp(lower_hrp);
  values.insert(values.end(), words.begin(), words.end());
  values.insert(values.end(), 6, 0);
  const uint32_t mod = Polymod(values) ^ 1;
  std::string out = lower_hrp + "1";
  for (uint8_t w : words) out += kCharset[w];
  for (int i = 0; i < 6; ++i) out += kCharset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

Result<Bech32Decoded> Bech32Decode(std::string_view text) {
  auto fail = [](const char* why) { return MakeError(ErrorCode::kInvalidArgument, why); };
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return fail("invalid character in bech32 string");
    has_lower |= (c >= 'a' && c <= 'z');
    has_upper |= (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return fail("mixed case in bech32 string");
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size()) {
    return fail("malformed bech32 string");
  }
  Bech32Decoded out;
  for (char c : text.substr(0, sep)) out.hrp += ToLower(c);
  std::vector<uint8_t> values = ExpandHrp(out.hrp);
  const size_t hrp_values = values.size();
  for (char c : text.substr(sep + 1)) {
    const char* pos = nullptr;
    for (const char* p = kCharset; *p != '\0'; ++p) {
      if (*p == ToLower(c)) pos = p;
    }
    if (pos == nullptr) return fail("invalid character in bech32 data");
    values.push_back(static_cast<uint8_t>(pos - kCharset));
  }
  if (Polymod(values) != 1) return fail("bech32 checksum does not match");
  std::span<const uint8_t> words(values.data() + hrp_values, values.size() - hrp_values - 6);
  if (!ConvertBits(words, 5, 8, false, out.data)) return fail("bech32 data has invalid padding");
  return out;
}

}  // namespace tresor::age
