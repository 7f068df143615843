// libFuzzer target for one format adapter (TRESOR_FUZZ_FORMAT: ini, dotenv,
// json, toml or yaml). Beyond not crashing: every span the parser reports
// lies inside the text, and whatever Seal() returns round-trips (parse the
// sealed text, unlock, verify the MAC, unseal: the input byte for byte).
// For YAML, also: wherever the simple scanner accepts the input, libfyaml's
// event walker gives the same Document (formats/yaml_parse.h).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "age/x25519.h"
#include "formats/format.h"
#include "formats/yaml_parse.h"
#include "fuzz_identity.h"
#include "sealed/sealed_file.h"

namespace {

bool SameSpan(tresor::formats::Span a, tresor::formats::Span b) {
  return a.begin == b.begin && a.end == b.end;
}

void CheckYamlParsersAgree(std::string_view text) {
  using namespace tresor::formats;
  Document scanned;
  const auto scanned_root = ScanSimpleYaml(text, scanned);
  if (!scanned_root) return;
  Document walked;
  const auto walked_root = WalkYamlEvents(text, walked);
  if (!walked_root || walked_root->block_mapping_indent != scanned_root->block_mapping_indent ||
      walked.values.size() != scanned.values.size() ||
      walked.header.has_value() != scanned.header.has_value()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < walked.values.size(); ++i) {
    const Value& a = walked.values[i];
    const Value& b = scanned.values[i];
    if (a.path != b.path || !SameSpan(a.literal, b.literal) || !SameSpan(a.entry, b.entry) ||
        a.type != b.type) {
      __builtin_trap();
    }
  }
  if (walked.header && (!SameSpan(walked.header->literal, scanned.header->literal) ||
                        !SameSpan(walked.header->entry, scanned.header->entry))) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor;
  const formats::Format& format = *formats::FormatByName(TRESOR_FUZZ_FORMAT);
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = format.Parse(text);
  if (!doc) return 0;
  if (std::string_view(TRESOR_FUZZ_FORMAT) == "yaml") CheckYamlParsersAgree(text);
  for (const formats::Value& v : doc->values) {
    if (v.literal.begin > v.literal.end || v.literal.end > text.size() ||
        v.entry.begin > v.literal.begin || v.entry.end > text.size()) {
      __builtin_trap();
    }
    (void)format.Decode(text.substr(v.literal.begin, v.literal.end - v.literal.begin), v.type);
  }
  auto file = sealed::SealedFile::Load(text, format);
  if (!file || file->has_header()) return 0;
  static const sealed::Policy policy = [] {
    auto recipient = std::make_shared<age::X25519Recipient>(fuzz::CorpusIdentity().ToRecipient());
    sealed::Policy p;
    p.groups.push_back({"default", {}, {recipient}, {recipient->String()}});
    return p;
  }();
  auto sealed_text = file->Seal(policy);
  if (!sealed_text) {
    // Sealing may refuse (a value that looks like a token but does not open,
    // no place for the header, or the safety net that will not write a file
    // that reads back differently); then nothing is written, which is safe.
    // What must never happen is a sealed text that does not round-trip.
    return 0;
  }
  auto reloaded = sealed::SealedFile::Load(*sealed_text, format);
  if (!reloaded) __builtin_trap();
  const age::Identity* identities[] = {&fuzz::CorpusIdentity()};
  if (!reloaded->Unlock(identities) || !reloaded->VerifyMac()) __builtin_trap();
  auto unsealed = reloaded->Unseal();
  if (!unsealed || *unsealed != text) __builtin_trap();
  return 0;
}
