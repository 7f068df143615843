#include "sealed/codec.h"

#include <algorithm>

#include "age/base64.h"

namespace tresor::sealed {
namespace {

Error Malformed(const std::string& what) { return MakeError(ErrorCode::kIntegrity, what); }

using formats::ValueType;

// The type letters of docs/format.md.
constexpr std::pair<char, ValueType> kTypeLetters[] = {
    {'s', ValueType::kString}, {'n', ValueType::kNumber},   {'b', ValueType::kBool},
    {'z', ValueType::kNull},   {'d', ValueType::kDateTime},
};

}  // namespace

std::string EncodeBase64Url(std::span<const uint8_t> data) {
  std::string out = age::EncodeBase64Unpadded(data);
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::optional<std::vector<uint8_t>> DecodeBase64Url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/') return std::nullopt;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  std::vector<uint8_t> out;
  if (!age::DecodeBase64Unpadded(standard, out)) return std::nullopt;
  return out;
}

bool IsGroupName(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool LooksLikeToken(std::string_view s) { return s.starts_with(kTokenPrefix); }

std::string EncodeToken(const Token& token) {
  std::string out(kTokenPrefix);
  return out.append(token.group)
      .append(":")
      .append(1, std::find_if(std::begin(kTypeLetters), std::end(kTypeLetters),
                              [&](const auto& l) { return l.second == token.type; })
                     ->first)
      .append(":")
      .append(EncodeBase64Url(token.sealed));
}

Result<Token> DecodeToken(std::string_view s) {
  if (!LooksLikeToken(s)) return Malformed("not a tresor token");
  s.remove_prefix(kTokenPrefix.size());
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || !IsGroupName(s.substr(0, colon))) {
    return Malformed("malformed token (bad group)");
  }
  const std::string_view rest = s.substr(colon + 1);
  const auto* letter =
      std::find_if(std::begin(kTypeLetters), std::end(kTypeLetters),
                   [&](const auto& l) { return !rest.empty() && l.first == rest[0]; });
  if (rest.size() < 2 || rest[1] != ':' || letter == std::end(kTypeLetters)) {
    return Malformed("malformed token (bad type)");
  }
  auto sealed = DecodeBase64Url(rest.substr(2));
  if (!sealed) return Malformed("malformed token (bad base64url)");
  return Token{std::string(s.substr(0, colon)), letter->second, std::move(*sealed)};
}

std::string HeaderMacInput(const Header& header) {
  std::string out(kHeaderPrefix);
  out.append(header.flags).append(":");
  for (size_t i = 0; i < header.groups.size(); ++i) {
    if (i > 0) out += ',';
    out.append(header.groups[i].name)
        .append("=")
        .append(EncodeBase64Url(header.groups[i].age_file));
  }
  return out;
}

std::string EncodeHeader(const Header& header) {
  return HeaderMacInput(header).append(":").append(EncodeBase64Url(header.mac));
}

Result<Header> DecodeHeader(std::string_view s) {
  if (!s.starts_with(kHeaderPrefix)) {
    return Malformed("the tresor header does not start with " + std::string(kHeaderPrefix));
  }
  s.remove_prefix(kHeaderPrefix.size());
  const size_t flags_end = s.find(':');
  const size_t mac_start = s.rfind(':');
  if (flags_end == std::string_view::npos || mac_start == flags_end) {
    return Malformed("malformed tresor header");
  }
  Header header;
  header.flags = std::string(s.substr(0, flags_end));
  if (header.flags.find_first_not_of("n") != std::string::npos) {
    return Malformed("unknown flags in the tresor header: " + header.flags);
  }
  auto mac = DecodeBase64Url(s.substr(mac_start + 1));
  if (!mac || mac->size() != header.mac.size()) return Malformed("malformed tresor header MAC");
  std::copy(mac->begin(), mac->end(), header.mac.begin());
  std::string_view groups = s.substr(flags_end + 1, mac_start - flags_end - 1);
  while (!groups.empty()) {
    const size_t comma = groups.find(',');
    const std::string_view item = groups.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || !IsGroupName(item.substr(0, eq))) {
      return Malformed("malformed group in the tresor header");
    }
    auto age_file = DecodeBase64Url(item.substr(eq + 1));
    if (!age_file) return Malformed("malformed group key in the tresor header");
    for (const auto& g : header.groups) {
      if (g.name == item.substr(0, eq)) return Malformed("group " + g.name + " appears twice");
    }
    header.groups.push_back({std::string(item.substr(0, eq)), std::move(*age_file)});
    if (comma == std::string_view::npos) break;
    groups = groups.substr(comma + 1);
    if (groups.empty()) return Malformed("malformed group list in the tresor header");
  }
  if (header.groups.empty()) return Malformed("the tresor header names no group");
  return header;
}

crypto::SecretBytes ValueKey(const crypto::SecretBytes& data_key) {
  return crypto::HkdfSha256(data_key.Reveal(), {}, "tresor v1 value", 32);
}

crypto::SecretBytes MacKey(const crypto::SecretBytes& data_key) {
  return crypto::HkdfSha256(data_key.Reveal(), {}, "tresor v1 mac", 32);
}

std::vector<uint8_t> ValueAad(std::string_view group, std::string_view path,
                              std::string_view type) {
  std::vector<uint8_t> aad;
  for (std::string_view part : {std::string_view("tresor v1"), group, path}) {
    aad.insert(aad.end(), part.begin(), part.end());
    aad.push_back(0);
  }
  aad.insert(aad.end(), type.begin(), type.end());
  return aad;
}

}  // namespace tresor::sealed
