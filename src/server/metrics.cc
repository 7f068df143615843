#include "server/metrics.h"

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
  nanos_.fetch_add(static_cast<uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

std::string Metrics::Prometheus(const std::vector<Gauge>& gauges) const {
  std::string out =
      "# HELP tresor_requests_total HTTP requests answered, by method and status code.\n"
      "# TYPE tresor_requests_total counter\n";
  uint64_t total = 0;
  for (size_t m = 0; m < kMethods.size(); ++m) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = requests_[m][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      total += n;
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
  const double seconds = static_cast<double>(nanos_.load(std::memory_order_relaxed)) / 1e9;
  out.append(
         "# HELP tresor_request_duration_seconds Time from a request's arrival to its answer "
         "being ready (durable writes included).\n"
         "# TYPE tresor_request_duration_seconds summary\n"
         "tresor_request_duration_seconds_sum ")
      .append(Number(seconds))
      .append("\ntresor_request_duration_seconds_count ")
      .append(std::to_string(total))
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
  return nlohmann::json{{"Counters", counters}, {"Gauges", list}}.dump();
}

}  // namespace tresor::server
