#include "server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace tresor::server {
namespace {

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Metrics::Metrics() : started_(std::chrono::steady_clock::now()) {}

void Metrics::Count(std::string_view method, int status, std::chrono::nanoseconds elapsed) {
  size_t m = kMethods.size() - 1;
  for (size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) m = i;
  }
  size_t s = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) s = i;
  }
  requests_[m][s].fetch_add(1, std::memory_order_relaxed);
  const int64_t nanos = std::max<int64_t>(elapsed.count(), 0);
  size_t b = 0;
  while (nanos > kBuckets[b].nanos) ++b;  // the last bound is INT64_MAX
  durations_[b].fetch_add(1, std::memory_order_relaxed);
  nanos_.fetch_add(static_cast<uint64_t>(nanos), std::memory_order_relaxed);
  uint64_t max = max_nanos_.load(std::memory_order_relaxed);
  while (static_cast<uint64_t>(nanos) > max &&
         !max_nanos_.compare_exchange_weak(max, static_cast<uint64_t>(nanos),
                                           std::memory_order_relaxed)) {
  }
}

std::string Metrics::Prometheus(const std::vector<Gauge>& gauges) const {
  std::string out =
      "# HELP tresor_requests_total HTTP requests answered, by method and status code.\n"
      "# TYPE tresor_requests_total counter\n";
  for (size_t m = 0; m < kMethods.size(); ++m) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = requests_[m][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string code = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      out.append("tresor_requests_total{method=\"")
          .append(kMethods[m])
          .append("\",code=\"")
          .append(code)
          .append("\"} ")
          .append(std::to_string(n))
          .push_back('\n');
    }
  }
  out.append(
      "# HELP tresor_request_duration_seconds Time from a request's arrival to its answer "
      "being ready (durable writes included).\n"
      "# TYPE tresor_request_duration_seconds histogram\n");
  // Cumulative counts; the count is the +Inf bucket's, so the two agree
  // even while requests are being counted.
  uint64_t below = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    below += durations_[b].load(std::memory_order_relaxed);
    out.append("tresor_request_duration_seconds_bucket{le=\"")
        .append(kBuckets[b].le)
        .append("\"} ")
        .append(std::to_string(below))
        .push_back('\n');
  }
  const double seconds = static_cast<double>(nanos_.load(std::memory_order_relaxed)) / 1e9;
  out.append("tresor_request_duration_seconds_sum ")
      .append(Number(seconds))
      .append("\ntresor_request_duration_seconds_count ")
      .append(std::to_string(below))
      .push_back('\n');
  std::vector<Gauge> all = gauges;
  all.push_back(
      {"tresor_uptime_seconds", "Seconds since the server started.",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()});
  for (const Gauge& g : all) {
    out.append("# HELP ").append(g.name).append(" ").append(g.help).push_back('\n');
    out.append("# TYPE ").append(g.name).append(" gauge\n");
    out.append(g.name).append(" ").append(Number(g.value)).push_back('\n');
  }
  return out;
}

std::string Metrics::Json(const std::vector<Gauge>& gauges) const {
  nlohmann::json counters = nlohmann::json::array();
  for (size_t m = 0; m < kMethods.size(); ++m) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = requests_[m][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      counters.push_back(
          {{"Name", "tresor.requests"},
           {"Count", n},
           {"Labels",
            {{"method", kMethods[m]},
             {"code", kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s])}}}});
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const Gauge& g : gauges) list.push_back({{"Name", g.name}, {"Value", g.value}});
  // Durations in milliseconds, as Vault's samples are, since start-up.
  uint64_t count = 0;
  for (const auto& n : durations_) count += n.load(std::memory_order_relaxed);
  const double sum = static_cast<double>(nanos_.load(std::memory_order_relaxed)) / 1e6;
  const double max = static_cast<double>(max_nanos_.load(std::memory_order_relaxed)) / 1e6;
  nlohmann::json samples = nlohmann::json::array();
  samples.push_back({{"Name", "tresor.request.duration"},
                     {"Count", count},
                     {"Sum", sum},
                     {"Max", max},
                     {"Mean", count == 0 ? 0.0 : sum / static_cast<double>(count)}});
  return nlohmann::json{{"Counters", counters}, {"Gauges", list}, {"Samples", samples}}.dump();
}

}  // namespace tresor::server
