#include "age/base64.h"

#include <array>

namespace tresor::age {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> MakeDecodeTable(const char* alphabet) {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr auto kDecodeStandard = MakeDecodeTable(kStandard);
constexpr auto kDecodeUrl = MakeDecodeTable(kUrl);

std::string Encode(std::span<const uint8_t> data, bool pad, const char* alphabet) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    const uint32_t v = data[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

}  // namespace

bool IsBase64Char(char c) { return kDecodeStandard[static_cast<uint8_t>(c)] >= 0; }

std::string EncodeBase64Unpadded(std::span<const uint8_t> data, Base64Alphabet alphabet) {
  return Encode(data, false, alphabet == Base64Alphabet::kUrl ? kUrl : kStandard);
}
std::string EncodeBase64Padded(std::span<const uint8_t> data) {
  return Encode(data, true, kStandard);
}

bool DecodeBase64Unpadded(std::string_view text, std::vector<uint8_t>& out,
                          Base64Alphabet alphabet) {
  if (text.size() % 4 == 1) return false;
  const auto& decode = alphabet == Base64Alphabet::kUrl ? kDecodeUrl : kDecodeStandard;
  const size_t start = out.size();
  out.reserve(start + text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = decode[static_cast<uint8_t>(c)];
    if (v < 0) {
      out.resize(start);
      return false;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // Leftover bits must be zero, or two encodings would decode the same.
  if (acc != 0) {
    out.resize(start);
    return false;
  }
  return true;
}

bool DecodeBase64Padded(std::string_view text, std::vector<uint8_t>& out) {
  if (text.size() % 4 != 0) return false;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return DecodeBase64Unpadded(text.substr(0, text.size() - pad), out);
}

}  // namespace tresor::age
