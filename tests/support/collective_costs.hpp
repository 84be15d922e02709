// Shared by the collective tests: link and cost-case helpers, and a check of a collective's
// duration against a closed form written out in the test.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cluster/collectives.hpp"
#include "sim/cluster/link.hpp"
#include "sim/cluster/topology.hpp"

namespace sgdsim::testing {

struct CostCase {
  int workers;
  double bytes;
  std::int64_t latency_ns;
  double bytes_per_second;
};

inline const std::vector<CostCase> kCostCases = {
    {1, 1e6, 50'000, 1.25e9},  // one worker: nothing to exchange
    {2, 4096, 50'000, 1.25e9},    {4, 1e6, 10'000, 1.25e9},
    {8, 407'080, 50'000, 1.25e9},  // the quickstart MLP's payload
    {16, 3.3e7, 2'000, 1.25e10},  {3, 1000, 1'000'000, 1e6},
    {64, 1.0, 5, 1e11},           {6, 5e6, 3'000, 2.5e9},
};

inline Link link_of(std::int64_t latency_ns, double bytes_per_second) {
  return {SimTime::from_ns(latency_ns), bytes_per_second};
}

inline Link link_of(const CostCase& c) {
  return link_of(c.latency_ns, c.bytes_per_second);
}

inline std::string describe(const CostCase& c) {
  return "N=" + std::to_string(c.workers) + " S=" + std::to_string(c.bytes) +
         " alpha_ns=" + std::to_string(c.latency_ns) + " B=" + std::to_string(c.bytes_per_second);
}

inline CollectiveCost cost_of(const std::string& collective, const Topology& topology, double bytes,
                              const std::vector<int>& participants) {
  return collective_cost(*make_collective(collective), participants, bytes, topology);
}

// With every worker of the topology participating.
inline CollectiveCost cost_of(const std::string& collective, const Topology& topology,
                              double bytes) {
  return cost_of(collective, topology, bytes, all_workers(topology.workers()));
}

// Each phase is rounded to the nanosecond once, so the total is within half a nanosecond per
// phase of the exact value.
inline void check_seconds(const CollectiveCost& cost, double expected_seconds) {
  const double tolerance_ns = 0.5 * static_cast<double>(cost.phases.size()) + 1e-3;
  INFO("duration " << cost.duration.ns() << " ns, expected " << expected_seconds * 1e9 << " ns");
  CHECK(std::abs(static_cast<double>(cost.duration.ns()) - expected_seconds * 1e9) <= tolerance_ns);
}

// ⌈log2 n⌉.
inline int log2_ceil(int n) {
  int k = 0;
  while ((1 << k) < n) ++k;
  return k;
}

}  // namespace sgdsim::testing
