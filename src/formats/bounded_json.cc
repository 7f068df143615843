#include "formats/bounded_json.h"

#include <string>
#include <vector>

namespace tresor::formats {
namespace {

using Json = nlohmann::json;

// Builds the document from nlohmann's SAX events, refusing each limit as it
// is passed. The stack holds the open containers (each one lives inside its
// parent, which gains no element while it is open, so the pointers stay
// valid).
class LimitedBuilder {
 public:
  explicit LimitedBuilder(const JsonLimits& limits) : limits_(limits) {}

  bool null() { return Add(Json(nullptr)) != nullptr; }
  bool boolean(bool v) { return Add(Json(v)) != nullptr; }
  bool number_integer(Json::number_integer_t v) { return Add(Json(v)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t v) { return Add(Json(v)) != nullptr; }
  bool number_float(Json::number_float_t v, const std::string& text) {
    // An integer literal arrives here only when it does not fit in 64 bits;
    // as a double it would silently lose digits.
    if (text.find_first_of(".eE") == std::string::npos) {
      return Fail("an integer outside the 64-bit range");
    }
    return Add(Json(v)) != nullptr;
  }
  bool string(std::string& s) {
    if (s.size() > limits_.max_string_bytes) return Fail(TooLong());
    return Add(Json(std::move(s))) != nullptr;
  }
  bool binary(Json::binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(size_t) { return Open(Json::object()); }
  bool key(std::string& k) {
    if (k.size() > limits_.max_string_bytes) return Fail(TooLong());
    if (stack_.back()->size() >= limits_.max_object_entries) {
      return Fail("an object with more than " + std::to_string(limits_.max_object_entries) +
                  " members");
    }
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(size_t) { return Open(Json::array()); }
  bool end_array() { return Close(); }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception&) {
    // nlohmann's message quotes the input near the error: it could be a
    // secret, so only the place is given.
    if (error_.empty()) error_ = "not valid JSON at byte " + std::to_string(position);
    return false;
  }

  Json& root() { return root_; }
  const std::string& error() const { return error_; }

 private:
  std::string TooLong() const {
    return "a string longer than " + std::to_string(limits_.max_string_bytes) + " bytes";
  }

  bool Fail(std::string what) {
    error_ = std::move(what);
    return false;
  }

  // Places `value` in the open container (or as the root); null on a limit.
  Json* Add(Json value) {
    if (++values_ > limits_.max_values) {
      Fail("more than " + std::to_string(limits_.max_values) + " values");
      return nullptr;
    }
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      if (top.size() >= limits_.max_array_elements) {
        Fail("an array with more than " + std::to_string(limits_.max_array_elements) + " elements");
        return nullptr;
      }
      top.push_back(std::move(value));
      return &top.back();
    }
    Json& slot = top[key_];
    slot = std::move(value);
    return &slot;
  }

  bool Open(Json container) {
    if (stack_.size() >= limits_.max_depth) {
      return Fail("nesting deeper than " + std::to_string(limits_.max_depth));
    }
    Json* placed = Add(std::move(container));
    if (placed == nullptr) return false;
    stack_.push_back(placed);
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  const JsonLimits& limits_;
  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  size_t values_ = 0;
  std::string error_;
};

}  // namespace

Result<Json> ParseBoundedJson(std::string_view text, const JsonLimits& limits) {
  LimitedBuilder builder(limits);
  const bool ok = Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json,
                                  /*strict=*/true);
  if (!ok || !builder.error().empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     builder.error().empty() ? "not valid JSON" : builder.error());
  }
  return std::move(builder.root());
}

}  // namespace tresor::formats
