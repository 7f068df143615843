#include "server/seals/transit_answer.h"

#include "formats/bounded_json.h"

namespace tresor::server {

Result<std::string> TransitAnswerField(int status, std::string_view body, const char* field) {
  // An answer is a shallow object: a deeper or larger one is not transit's.
  constexpr formats::JsonLimits kLimits{.max_depth = 8,
                                        .max_string_bytes = 64 * 1024,
                                        .max_object_entries = 64,
                                        .max_array_elements = 64,
                                        .max_values = 1024};
  auto parsed = formats::ParseBoundedJson(body, kLimits);
  nlohmann::json json = parsed ? std::move(*parsed) : nlohmann::json();
  if (status != 200) {
    std::string reason = "HTTP " + std::to_string(status);
    if (json.is_object()) {
      const auto errors = json.find("errors");
      if (errors != json.end() && errors->is_array() && !errors->empty() &&
          (*errors)[0].is_string()) {
        reason += ": " + (*errors)[0].get<std::string>();
      }
    }
    const ErrorCode code = status == 400   ? ErrorCode::kNoMatch
                           : status == 403 ? ErrorCode::kRefused
                           : status == 404 ? ErrorCode::kNotFound
                                           : ErrorCode::kUnavailable;
    return MakeError(code, reason);
  }
  if (json.is_object()) {
    const auto data = json.find("data");
    if (data != json.end() && data->is_object()) {
      const auto value = data->find(field);
      if (value != data->end() && value->is_string()) {
        return std::move(value->get_ref<std::string&>());
      }
    }
  }
  return MakeError(ErrorCode::kIo, std::string("the answer has no data.") + field);
}

}  // namespace tresor::server
