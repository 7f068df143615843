// The server's counters, for /v1/sys/metrics: requests by method and status,
// a histogram of their durations, and gauges read when metrics are asked for. Rendered in
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
  // Upper bounds of the duration buckets: 100 us to 2.5 s, then +Inf.
  struct Bucket {
    int64_t nanos;
    std::string_view le;
  };
  static constexpr std::array<Bucket, 15> kBuckets = {{{100'000, "0.0001"},
                                                       {250'000, "0.00025"},
                                                       {500'000, "0.0005"},
                                                       {1'000'000, "0.001"},
                                                       {2'500'000, "0.0025"},
                                                       {5'000'000, "0.005"},
                                                       {10'000'000, "0.01"},
                                                       {25'000'000, "0.025"},
                                                       {50'000'000, "0.05"},
                                                       {100'000'000, "0.1"},
                                                       {250'000'000, "0.25"},
                                                       {500'000'000, "0.5"},
                                                       {1'000'000'000, "1"},
                                                       {2'500'000'000, "2.5"},
                                                       {INT64_MAX, "+Inf"}}};
  std::array<std::array<std::atomic<uint64_t>, kStatuses.size()>, kMethods.size()> requests_{};
  // Requests whose duration fell in each bucket (not cumulative).
  std::array<std::atomic<uint64_t>, kBuckets.size()> durations_{};
  std::atomic<uint64_t> nanos_{0};
  std::atomic<uint64_t> max_nanos_{0};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tresor::server
