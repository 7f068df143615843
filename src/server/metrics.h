// The server's counters, for /v1/sys/metrics: requests by method and status,
// their total time, and gauges read when metrics are asked for. Rendered in
// Prometheus' text format or as JSON. Nothing here names a path, a token or
// a value. Thread-safe (atomic counters).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tresor::server {

class Metrics {
 public:
  Metrics();
  // Counts one answered request.
  void Count(std::string_view method, int status, std::chrono::nanoseconds elapsed);

  struct Gauge {
    std::string name;  // tresor_...
    std::string help;
    double value = 0;
  };
  // The counters, then `gauges`, as Prometheus text (version 0.0.4).
  std::string Prometheus(const std::vector<Gauge>& gauges) const;
  // {"Counters": [...], "Gauges": [...]}, the shape of Vault's JSON metrics.
  std::string Json(const std::vector<Gauge>& gauges) const;

 private:
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",  "PUT",  "POST", "DELETE",
                                                               "LIST", "HEAD", "other"};
  static constexpr std::array<int, 13> kStatuses = {200, 204, 400, 403, 404, 405, 408,
                                                    412, 413, 429, 500, 503, 0};
  std::array<std::array<std::atomic<uint64_t>, kStatuses.size()>, kMethods.size()> requests_{};
  std::atomic<uint64_t> nanos_{0};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tresor::server
