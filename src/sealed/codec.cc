#include "sealed/codec.h"

#include <algorithm>

#include "age/base64.h"

namespace tresor::sealed {
namespace {

Error Malformed(const std::string& what) { return MakeError(ErrorCode::kIntegrity, what); }

constexpr std::string_view kPublicMarker = "pub:";

using formats::ValueType;

// The type letters of docs/format.md.
constexpr std::pair<char, ValueType> kTypeLetters[] = {
    {'s', ValueType::kString}, {'n', ValueType::kNumber},   {'b', ValueType::kBool},
    {'z', ValueType::kNull},   {'d', ValueType::kDateTime},
};

}  // namespace

std::string EncodeBase64Url(std::span<const uint8_t> data) {
  return age::EncodeBase64Unpadded(data, age::Base64Alphabet::kUrl);
}

std::optional<std::vector<uint8_t>> DecodeBase64Url(std::string_view text) {
  std::vector<uint8_t> out;
  if (!age::DecodeBase64Unpadded(text, out, age::Base64Alphabet::kUrl)) return std::nullopt;
  return out;
}

std::optional<TokenPeek> PeekToken(std::string_view s) {
  if (!LooksLikeToken(s)) return std::nullopt;
  s.remove_prefix(kTokenPrefix.size());
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.size() < colon + 3 || s[colon + 2] != ':') {
    return std::nullopt;
  }
  return TokenPeek{s.substr(0, colon), s.substr(colon + 3).starts_with(kPublicMarker)};
}

bool IsGroupName(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool LooksLikeToken(std::string_view s) { return s.starts_with(kTokenPrefix); }

std::string EncodeToken(const Token& token) {
  std::string out(kTokenPrefix);
  out.append(token.group)
      .append(":")
      .append(1, std::find_if(std::begin(kTypeLetters), std::end(kTypeLetters),
                              [&](const auto& l) { return l.second == token.type; })
                     ->first)
      .append(":");
  if (token.is_public) out.append(kPublicMarker);
  return out.append(EncodeBase64Url(token.sealed));
}

Result<Token> DecodeToken(std::string_view s) {
  if (!LooksLikeToken(s)) return Malformed("not a tresor token");
  s.remove_prefix(kTokenPrefix.size());
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || !IsGroupName(s.substr(0, colon))) {
    return Malformed("malformed token (bad group)");
  }
  std::string_view rest = s.substr(colon + 1);
  const auto* letter =
      std::find_if(std::begin(kTypeLetters), std::end(kTypeLetters),
                   [&](const auto& l) { return !rest.empty() && l.first == rest[0]; });
  if (rest.size() < 2 || rest[1] != ':' || letter == std::end(kTypeLetters)) {
    return Malformed("malformed token (bad type)");
  }
  rest.remove_prefix(2);
  const bool is_public = rest.starts_with(kPublicMarker);
  if (is_public) rest.remove_prefix(kPublicMarker.size());
  auto sealed = DecodeBase64Url(rest);
  if (!sealed) return Malformed("malformed token (bad base64url)");
  return Token{std::string(s.substr(0, colon)), letter->second, is_public, std::move(*sealed)};
}

bool IsRecipientName(std::string_view name) {
  // A server's transit key: "tresor:NAME" or "tresor:MOUNT/NAME".
  constexpr std::string_view kServerKey = "tresor:";
  if (name.starts_with(kServerKey)) {
    name.remove_prefix(kServerKey.size());
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == '/';
    });
  }
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

namespace {

std::string JoinRecipients(const std::vector<std::string>& recipients) {
  std::string out;
  for (const std::string& r : recipients) {
    if (!out.empty()) out += '+';
    out += r;
  }
  return out;
}

// NAME=RECIPIENTS=PUBLIC=AGEFILE=MAC
Result<HeaderGroup> DecodeGroup(std::string_view item) {
  std::vector<std::string_view> fields;
  for (size_t at = 0;;) {
    const size_t eq = item.find('=', at);
    fields.push_back(item.substr(at, eq == std::string_view::npos ? eq : eq - at));
    if (eq == std::string_view::npos) break;
    at = eq + 1;
  }
  if ((fields.size() != 5 && fields.size() != 6) || !IsGroupName(fields[0])) {
    return Malformed("malformed group in the tresor header");
  }
  HeaderGroup group;
  group.name = std::string(fields[0]);
  const std::string where = "group " + group.name + " in the tresor header: ";
  for (std::string_view list = fields[1];;) {
    const size_t plus = list.find('+');
    if (!IsRecipientName(list.substr(0, plus))) return Malformed(where + "malformed recipient");
    group.recipients.emplace_back(list.substr(0, plus));
    if (plus == std::string_view::npos) break;
    list.remove_prefix(plus + 1);
  }
  auto public_key = DecodeBase64Url(fields[2]);
  auto age_file = DecodeBase64Url(fields[3]);
  auto mac = DecodeBase64Url(fields[4]);
  if (!public_key || public_key->size() != group.public_key.size()) {
    return Malformed(where + "malformed public key");
  }
  if (!age_file || age_file->empty()) return Malformed(where + "malformed data key");
  if (!mac || mac->size() != group.mac.size()) return Malformed(where + "malformed MAC");
  std::copy(public_key->begin(), public_key->end(), group.public_key.begin());
  std::copy(mac->begin(), mac->end(), group.mac.begin());
  if (fields.size() == 6) {
    // Decimal, 1 to 2^63 - 1, no leading zero: one spelling per number.
    const std::string_view v = fields[5];
    const bool digits = !v.empty() && v.size() <= 18 && v[0] != '0' &&
                        v.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits) return Malformed(where + "malformed version");
    for (char c : v) group.version = group.version * 10 + static_cast<uint64_t>(c - '0');
  }
  group.age_file = std::move(*age_file);
  return group;
}

}  // namespace

std::string EncodeHeader(const Header& header) {
  std::string out(kHeaderPrefix);
  out.append(header.flags).append(":");
  for (size_t i = 0; i < header.groups.size(); ++i) {
    const HeaderGroup& g = header.groups[i];
    if (i > 0) out += ',';
    out.append(g.name)
        .append("=")
        .append(JoinRecipients(g.recipients))
        .append("=")
        .append(EncodeBase64Url(g.public_key))
        .append("=")
        .append(EncodeBase64Url(g.age_file))
        .append("=")
        .append(EncodeBase64Url(g.mac));
    if (g.version > 0) out.append("=").append(std::to_string(g.version));
  }
  return out;
}

std::vector<std::string> GroupMacFields(const Header& header, const HeaderGroup& group) {
  std::vector<std::string> fields{"tresor v1 mac",
                                  header.flags,
                                  group.name,
                                  JoinRecipients(group.recipients),
                                  EncodeBase64Url(group.public_key),
                                  EncodeBase64Url(group.age_file)};
  // Only when there is one, so that files from before the counter keep
  // their MACs; removing a counter changes the fields and fails the MAC.
  if (group.version > 0) fields.push_back("version=" + std::to_string(group.version));
  return fields;
}

Result<Header> DecodeHeader(std::string_view s) {
  if (!s.starts_with(kHeaderPrefix)) {
    return Malformed("the tresor header does not start with " + std::string(kHeaderPrefix));
  }
  s.remove_prefix(kHeaderPrefix.size());
  const size_t flags_end = s.find(':');
  if (flags_end == std::string_view::npos) return Malformed("malformed tresor header");
  Header header;
  header.flags = std::string(s.substr(0, flags_end));
  if (header.flags.find_first_not_of("n") != std::string::npos) {
    return Malformed("unknown flags in the tresor header: " + header.flags);
  }
  std::string_view groups = s.substr(flags_end + 1);
  while (true) {
    const size_t comma = groups.find(',');
    TRESOR_ASSIGN_OR_RETURN(HeaderGroup group, DecodeGroup(groups.substr(0, comma)));
    for (const auto& g : header.groups) {
      if (g.name == group.name) return Malformed("group " + g.name + " appears twice");
    }
    header.groups.push_back(std::move(group));
    if (comma == std::string_view::npos) break;
    groups.remove_prefix(comma + 1);
  }
  return header;
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
