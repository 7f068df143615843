// The metrics' Prometheus text and JSON: exact lines for known requests,
// durations in the right histogram buckets, and gauges after the counters.
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace tresor::server {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// The text with the uptime's value (it changes run to run) checked for shape
// and replaced by UPTIME.
std::string WithoutUptime(const std::string& text) {
  const std::string prefix = "tresor_uptime_seconds ";
  const size_t at = text.rfind(prefix);
  EXPECT_NE(at, std::string::npos) << text;
  if (at == std::string::npos) return text;
  const std::string value = text.substr(at + prefix.size());
  EXPECT_EQ(value.back(), '\n');
  EXPECT_GE(std::stod(value), 0.0);
  return text.substr(0, at) + prefix + "UPTIME\n";
}

TEST(Metrics, PrometheusTextCountsRequestsAndBucketsTheirDurations) {
  Metrics metrics;
  metrics.Count("GET", 200, microseconds(80));
  metrics.Count("GET", 200, microseconds(100));  // on a bound: in that bucket
  metrics.Count("GET", 404, microseconds(101));
  metrics.Count("PUT", 204, milliseconds(3));
  metrics.Count("PATCH", 200, milliseconds(3000));  // "other" method, past 2.5 s
  metrics.Count("GET", 418, microseconds(0));       // "other" status
  const std::string text =
      WithoutUptime(metrics.Prometheus({{"tresor_sealed", "1 while sealed.", 0}}));
  EXPECT_EQ(text,
            "# HELP tresor_requests_total HTTP requests answered, by method and status code.\n"
            "# TYPE tresor_requests_total counter\n"
            "tresor_requests_total{method=\"GET\",code=\"200\"} 2\n"
            "tresor_requests_total{method=\"GET\",code=\"404\"} 1\n"
            "tresor_requests_total{method=\"GET\",code=\"other\"} 1\n"
            "tresor_requests_total{method=\"PUT\",code=\"204\"} 1\n"
            "tresor_requests_total{method=\"other\",code=\"200\"} 1\n"
            "# HELP tresor_request_duration_seconds Time from a request's arrival to its answer "
            "being ready (durable writes included).\n"
            "# TYPE tresor_request_duration_seconds histogram\n"
            "tresor_request_duration_seconds_bucket{le=\"0.0001\"} 3\n"
            "tresor_request_duration_seconds_bucket{le=\"0.00025\"} 4\n"
            "tresor_request_duration_seconds_bucket{le=\"0.0005\"} 4\n"
            "tresor_request_duration_seconds_bucket{le=\"0.001\"} 4\n"
            "tresor_request_duration_seconds_bucket{le=\"0.0025\"} 4\n"
            "tresor_request_duration_seconds_bucket{le=\"0.005\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.01\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.025\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.05\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.1\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.25\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"0.5\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"1\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"2.5\"} 5\n"
            "tresor_request_duration_seconds_bucket{le=\"+Inf\"} 6\n"
            "tresor_request_duration_seconds_sum 3.0032809999999999\n"
            "tresor_request_duration_seconds_count 6\n"
            "# HELP tresor_sealed 1 while sealed.\n"
            "# TYPE tresor_sealed gauge\n"
            "tresor_sealed 0\n"
            "# HELP tresor_uptime_seconds Seconds since the server started.\n"
            "# TYPE tresor_uptime_seconds gauge\n"
            "tresor_uptime_seconds UPTIME\n");
}

TEST(Metrics, NoRequestsYetIsAnEmptyHistogram) {
  const std::string text = Metrics().Prometheus({});
  EXPECT_NE(text.find("tresor_request_duration_seconds_bucket{le=\"0.0001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("tresor_request_duration_seconds_bucket{le=\"+Inf\"} 0\n"
                      "tresor_request_duration_seconds_sum 0\n"
                      "tresor_request_duration_seconds_count 0\n"),
            std::string::npos);
  EXPECT_EQ(text.find("tresor_requests_total{"), std::string::npos);
  const auto json = nlohmann::json::parse(Metrics().Json({}));
  EXPECT_EQ(json["Samples"], nlohmann::json::parse(R"([{"Name":"tresor.request.duration",
      "Count":0,"Sum":0.0,"Max":0.0,"Mean":0.0}])"));
}

TEST(Metrics, JsonHasCountersGaugesAndDurationsInMilliseconds) {
  Metrics metrics;
  metrics.Count("POST", 200, milliseconds(2));
  metrics.Count("POST", 200, milliseconds(6));
  metrics.Count("DELETE", 204, milliseconds(1));
  const auto json = nlohmann::json::parse(metrics.Json({{"tresor_tokens", "Tokens.", 3}}));
  EXPECT_EQ(json, nlohmann::json::parse(R"({
      "Counters": [
        {"Name": "tresor.requests", "Count": 2, "Labels": {"method": "POST", "code": "200"}},
        {"Name": "tresor.requests", "Count": 1, "Labels": {"method": "DELETE", "code": "204"}}],
      "Gauges": [{"Name": "tresor_tokens", "Value": 3.0}],
      "Samples": [{"Name": "tresor.request.duration", "Count": 3, "Sum": 9.0, "Max": 6.0,
                   "Mean": 3.0}]})"));
}

}  // namespace
}  // namespace tresor::server
