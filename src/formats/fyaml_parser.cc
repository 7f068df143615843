#include "formats/fyaml_parser.h"

#include <cstdint>
#include <cstring>

#include "formats/document.h"
#include "formats/utf8.h"

namespace tresor::formats {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Keeps the first message libfyaml prints despite collecting errors.
void CaptureFirst(fy_diag*, void* user, const char* buf, size_t len) {
  auto* first = static_cast<std::string*>(user);
  if (first->empty()) first->assign(buf, len);
}

}  // namespace

FyamlParser::FyamlParser(std::string_view text) {
  fy_diag_cfg diag_cfg{};
  fy_diag_cfg_default(&diag_cfg);
  diag_cfg.fp = nullptr;
  diag_cfg.output_fn = CaptureFirst;
  diag_cfg.user = &first_error_;
  diag_cfg.colorize = false;
  diag_cfg.show_source = false;
  diag_cfg.show_position = true;
  diag_cfg.show_type = false;
  diag_cfg.show_module = false;
  diag_ = fy_diag_create(&diag_cfg);
  TRESOR_CHECK(diag_ != nullptr, "out of memory");
  // Errors are collected, not printed: printing one shows its source line,
  // and 0.7.12 reads past the input doing so on some malformed text (found
  // by sops_fuzz; libfyaml#223).
  fy_diag_set_collect_errors(diag_, true);
  fy_parse_cfg cfg{};
  cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET);
  cfg.diag = diag_;
  parser_ = fy_parser_create(&cfg);
  TRESOR_CHECK(parser_ != nullptr, "out of memory");
  TRESOR_CHECK(fy_parser_set_string(parser_, text.data(), text.size()) == 0,
               "libfyaml rejected its input buffer");
}

FyamlParser::~FyamlParser() {
  fy_diag_set_collect_errors(diag_, false);  // frees the collected errors
  fy_parser_destroy(parser_);
  fy_diag_unref(diag_);
}

Error FyamlParser::error(std::string_view text) const {
  void* iter = nullptr;
  if (const fy_diag_error* e = fy_diag_errors_iterate(diag_, &iter)) {
    return MakeError(ErrorCode::kSyntax, std::to_string(e->line) + ":" + std::to_string(e->column) +
                                             ": " + (e->msg != nullptr ? e->msg : "invalid YAML"));
  }
  // libfyaml writes "[source:]LINE:COL: [error: ]MESSAGE".
  std::string_view m = first_error_;
  m = m.substr(0, m.find('\n'));
  for (size_t p = 0; p < m.size(); ++p) {
    size_t q = p;
    while (q < m.size() && IsDigit(m[q])) ++q;
    if (q == p || q >= m.size() || m[q] != ':') continue;
    size_t r = q + 1;
    while (r < m.size() && IsDigit(m[r])) ++r;
    if (r == q + 1 || m.substr(r, 2) != ": ") continue;
    std::string_view message = m.substr(r + 2);
    if (message.starts_with("error: ")) message.remove_prefix(7);
    return MakeError(ErrorCode::kSyntax,
                     std::string(m.substr(p, r - p)) + ": " + std::string(message));
  }
  return SyntaxError(text, text.size(), "invalid YAML");
}

Result<void> RejectNonUnicode(std::string_view text) {
  for (size_t p = 0; p < text.size();) {
    // Most configuration text is ASCII without NULs: skip 8 bytes at a time.
    while (p + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + p, 8);
      const uint64_t has_zero = (word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL;
      if ((word & 0x8080808080808080ULL) != 0 || has_zero != 0) break;
      p += 8;
    }
    if (p >= text.size()) break;
    const size_t n = Utf8Length(text, p);
    if (n == 0) return SyntaxError(text, p, text[p] == '\0' ? "NUL byte" : "invalid UTF-8");
    p += n;
  }
  return {};
}

size_t Utf8Length(std::string_view text, size_t p) {
  const auto byte = [&](size_t i) {
    return p + i < text.size() ? static_cast<unsigned char>(text[p + i]) : 0x100u;
  };
  const unsigned c = byte(0);
  auto in = [&](size_t i, unsigned lo, unsigned hi) { return byte(i) >= lo && byte(i) <= hi; };
  if (c >= 0x01 && c <= 0x7f) return 1;
  if (c >= 0xc2 && c <= 0xdf) return in(1, 0x80, 0xbf) ? 2 : 0;
  if (c == 0xe0) return in(1, 0xa0, 0xbf) && in(2, 0x80, 0xbf) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
    return in(1, 0x80, 0xbf) && in(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (c == 0xed) return in(1, 0x80, 0x9f) && in(2, 0x80, 0xbf) ? 3 : 0;
  if (c == 0xf0) return in(1, 0x90, 0xbf) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) {
    return in(1, 0x80, 0xbf) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf) ? 4 : 0;
  }
  if (c == 0xf4) return in(1, 0x80, 0x8f) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf) ? 4 : 0;
  return 0;
}

}  // namespace tresor::formats
