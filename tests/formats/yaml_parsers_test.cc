// The simple YAML scanner against libfyaml's event walker: wherever the
// scanner accepts a text, both parsers must give the same Document; and the
// scanner must accept the plain block YAML it exists for, and decline the
// rest so that libfyaml decides.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "formats/format.h"
#include "formats/yaml_parse.h"

namespace tresor::formats {
namespace {

std::string Describe(const Document& doc, const YamlRoot& root) {
  std::ostringstream out;
  for (const Value& v : doc.values) {
    out << v.path << " literal=" << v.literal.begin << "-" << v.literal.end
        << " entry=" << v.entry.begin << "-" << v.entry.end << " " << ValueTypeName(v.type) << "\n";
  }
  if (doc.header) {
    out << "header literal=" << doc.header->literal.begin << "-" << doc.header->literal.end
        << " entry=" << doc.header->entry.begin << "-" << doc.header->entry.end << "\n";
  }
  if (root.block_mapping_indent) out << "root indent=" << *root.block_mapping_indent << "\n";
  return out.str();
}

// The scanner's Document, or "declined".
std::string Scanned(std::string_view text) {
  Document doc;
  const auto root = ScanSimpleYaml(text, doc);
  return root ? Describe(doc, *root) : "declined";
}

std::string Walked(std::string_view text) {
  Document doc;
  const auto root = WalkYamlEvents(text, doc);
  return root ? Describe(doc, *root) : "error: " + root.error().message;
}

TEST(YamlParsersTest, ScannerTakesPlainBlockYamlAndAgreesWithLibfyaml) {
  const char* texts[] = {
      "a: 1\nb: two\n",
      "db:\n  user: admin\n  password: \"s3cret\"  # note\n  port: 5432\nname: x\n",
      "  indented:\n    deeper: 'it''s'\n  back: ~\n",
      "list:\n- one\n- 'two'\n- 3\nafter: true\n",
      "list:\n  - one\n  - \"two\" # c\nnext:\n  k: v\n",
      "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
      "# head\n\na: 1 # trailing\n\n   # indented comment\nb: x#y\n",
      "a: 1\r\nb:\r\n  c: \"x\"\r\n",
      "a: 1",
      "url: http://example.com:8080/x\nneg: -5\nf: 1.5e3\nhex: 0x1F\nt: True\nn: null\n",
      "key.with.dots: v\nslash/key: w\n",
      "a: tresor:v1:default:s:abc\ntresor: \"tresor-header:v1::default=x\"\n",
      "s: \"\"\nq: ''\n",
      "- a\n- b\n",
      "",
      "# only a comment\n",
      "a:\nb: 1\n",  // an empty (null) value: no Value
      "a: # nothing\n  # c\nb:\n",
      "x:\n  a:\ny: 1\n",
  };
  for (const char* text : texts) {
    SCOPED_TRACE(text);
    const std::string scanned = Scanned(text);
    EXPECT_NE(scanned, "declined");
    EXPECT_EQ(scanned, Walked(text));
  }
}

TEST(YamlParsersTest, ScannerDeclinesWhatItDoesNotFullyRead) {
  const char* texts[] = {
      "a: &x 1\nb: *x\n",                // anchors and aliases
      "a: [1, 2]\n",                     // flow sequence
      "a: {b: 1}\n",                     // flow mapping
      "a: |\n  text\n",                  // block scalar
      "a: >-\n  text\n",                 // folded block scalar
      "a: one\n  two\n",                 // plain scalar over two lines
      "a: \"one\n  two\"\n",             // quoted scalar over two lines
      "a: \"tab\\tescape\"\n",           // an escape
      "a:\tb\n",                         // a tab
      "a: caf\xc3\xa9\n",                // non-ASCII
      "---\na: 1\n",                     // document marker
      "%YAML 1.2\n---\na: 1\n",          // directive
      "a: !!str 1\n",                    // tag
      "\"quoted key\": 1\n",             // quoted key
      "? complex\n: key\n",              // complex key
      "a: b: c\n",                       // mapping in a plain scalar (an error)
      "a: 1\n b: 2\n",                   // more indented without a parent key (an error)
      "a:\n    b: 1\n  c: 2\n",          // indentation between levels (an error)
      "k:\n- \n- b\n",                   // an empty item
      "a: 1\n- b\n",                     // a sequence item in a mapping (an error)
      "- a: 1\n",                        // a mapping inside a sequence item
      "- - a\n",                         // a sequence inside a sequence item
      "a: \"x\" y\n",                    // text after a quoted scalar (an error)
      "a: \"x\"# c\n",                   // a comment without a blank before it (an error)
      "tresor: \"h\"\ntresor: \"h\"\n",  // a second header: libfyaml's path reports it
      "<<: x\n",                         // merge key
  };
  for (const char* text : texts) {
    SCOPED_TRACE(text);
    EXPECT_EQ(Scanned(text), "declined");
  }
}

// Every YAML file of the lossless and fuzz corpora: where the scanner takes
// one, the result is libfyaml's.
TEST(YamlParsersTest, CorporaAgree) {
  int accepted = 0;
  const std::pair<const char*, bool> dirs[] = {
      {TRESOR_SOURCE_DIR "/tests/sealed/corpus", false},  // YAML among other formats
      {TRESOR_SOURCE_DIR "/fuzz/corpus/yaml", true}};
  for (const auto& [dir, all] : dirs) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string ext = entry.path().extension();
      if (!all && ext != ".yaml" && ext != ".yml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      SCOPED_TRACE(entry.path().string());
      const std::string scanned = Scanned(text);
      if (scanned == "declined") continue;
      ++accepted;
      EXPECT_EQ(scanned, Walked(text));
    }
  }
  EXPECT_GT(accepted, 0);
}

TEST(YamlParsersTest, NestingPastTheLimitIsRefusedWithoutQuadraticMemory) {
  // 64 KB of nesting once cost 3.2 GB in paths.
  std::string block;
  for (size_t depth = 0; depth < 4000; ++depth) {
    block += std::string(depth, ' ') + "k:\n";
  }
  block += std::string(4000, ' ') + "v: 1\n";
  EXPECT_EQ(Scanned(block), "declined");
  EXPECT_EQ(Walked(block), "error: 257:257: nested too deeply");
  const std::string flow = std::string(30000, '[') + std::string(30000, ']') + "\n";
  EXPECT_EQ(Walked(flow), "error: 1:257: nested too deeply");
  std::string fits;
  for (size_t depth = 0; depth < 255; ++depth) fits += std::string(depth, ' ') + "k:\n";
  fits += std::string(255, ' ') + "v: 1\n";  // 256 mappings with the root
  EXPECT_NE(Scanned(fits), "declined");
  EXPECT_EQ(Scanned(fits), Walked(fits));
}

}  // namespace
}  // namespace tresor::formats

namespace tresor::formats {
namespace {

// Found by yaml_fuzz: an alias used as a key made the walker pair every
// later key with the wrong value, so sealing replaced keys.
TEST(YamlParsersTest, AnAliasAsAKeyIsRefusedNotMisread) {
  EXPECT_EQ(Walked("a: &x 1\n*x : 2\nb: 3\n"),
            "error: 2:1: an alias as a mapping key is not supported");
  EXPECT_EQ(Walked("---\nk: v\n*t: : 1\n"),
            "error: 3:1: an alias as a mapping key is not supported");
  EXPECT_EQ(Scanned("a: &x 1\n*x : 2\n"), "declined");
}

// Each expectation is what libfyaml 0.7.12 gives for the same scalar.
TEST(YamlParsersTest, SingleQuotedScalarsFoldAsLibfyamlFoldsThem) {
  EXPECT_EQ(SingleQuotedText("'a\n  b'"), "a b");
  EXPECT_EQ(SingleQuotedText("' a '"), " a ");
  EXPECT_EQ(SingleQuotedText("'a  \n\n   b  \n\n\n  c '"), "a\nb\n\nc ");
  EXPECT_EQ(SingleQuotedText("'a\n'"), "a ");
  EXPECT_EQ(SingleQuotedText("'\n a'"), " a");
  EXPECT_EQ(SingleQuotedText("'it''s\n\t x'"), "it's x");
  EXPECT_EQ(SingleQuotedText("'a\r\n b'"), "a b");
  EXPECT_EQ(SingleQuotedText("''"), "");
}

// libfyaml leaks the text of five or more '' in a row (libfyaml#233); keys
// and values of that shape are decoded without it (found by sops_fuzz).
TEST(YamlParsersTest, ManyEscapedQuotesInARowDecode) {
  const std::string text = "'''''''''''''x''''''''''': '''''''''''''y'''''''''''\n";
  Document doc;
  ASSERT_TRUE(WalkYamlEvents(text, doc));
  ASSERT_EQ(doc.values.size(), 1u);
  EXPECT_EQ(doc.values[0].path, "\"''''''x'''''\"");
  const Span& v = doc.values[0].literal;
  EXPECT_EQ(
      Yaml().Decode(std::string_view(text).substr(v.begin, v.end - v.begin), ValueType::kString),
      "''''''y'''''");
}

// libfyaml 0.7.12 read past its input printing this text's error with its
// source line (found by sops_fuzz): errors are collected, not printed.
TEST(YamlParsersTest, ErrorsAreReportedWithoutShowingTheSource) {
  std::ifstream in(std::string(TRESOR_SOURCE_DIR) + "/fuzz/corpus/yaml/regress-error-display.yaml",
                   std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_EQ(text.size(), 2267u);
  EXPECT_EQ(Walked(text), "error: 1:808: missing document start");
  EXPECT_EQ(Walked("a: [1,\nb: 2\n"), "error: 2:1: wrongly indented flow sequence");
}

}  // namespace
}  // namespace tresor::formats
