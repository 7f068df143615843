#include "http/response.h"

#include <algorithm>

#include "formats/document.h"

namespace tresor::http {

Response JsonError(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"errors\":[" + formats::EscapedString(message) + "]}\n";
  return r;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string Serialize(const Response& response, bool close, bool head_only) {
  std::string out;
  out.reserve(160 + response.body.size());
  out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  out.append(ReasonPhrase(response.status)).append("\r\n");
  const bool bodiless = response.status == 204 || response.status == 304;
  if (!response.content_type.empty() && !bodiless) {
    out.append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  if (std::none_of(response.headers.begin(), response.headers.end(),
                   [](const auto& header) { return header.first == "Cache-Control"; })) {
    out.append("Cache-Control: no-store\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!bodiless) {
    out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  }
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
  if (!head_only && !bodiless) out.append(response.body);
  return out;
}

}  // namespace tresor::http
