// Each collective's simulated time on a single switch against its textbook α–β closed form,
// worked out here by hand; the registry of collectives. Other topologies, traffic conservation,
// phase tiling and subsets: collectives_on_topologies_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/cluster/collectives.hpp"
#include "sim/cluster/topology.hpp"
#include "tests/support/collective_costs.hpp"

namespace {

using sgdsim::CollectiveCost;
using sgdsim::Link;
using sgdsim::SimTime;
using sgdsim::SwitchTopology;
using sgdsim::Topology;
using sgdsim::testing::check_seconds;
using sgdsim::testing::cost_of;
using sgdsim::testing::CostCase;
using sgdsim::testing::describe;
using sgdsim::testing::kCostCases;
using sgdsim::testing::link_of;
using sgdsim::testing::log2_ceil;

}  // namespace

TEST_CASE("ring allreduce on a switch takes 2(N-1)a + 2(N-1)/N S/B", "[sim][collectives]") {
  for (const CostCase& c : kCostCases) {
    INFO(describe(c));
    const SwitchTopology topology(c.workers, link_of(c));
    const double n = c.workers;
    const double alpha = static_cast<double>(c.latency_ns) * 1e-9;
    const auto cost = cost_of("ring_allreduce", topology, c.bytes);
    check_seconds(cost, 2 * (n - 1) * alpha + 2 * (n - 1) / n * c.bytes / c.bytes_per_second);
    CHECK(cost.phases.size() == 2);
    if (c.workers == 1) CHECK(cost.duration.ns() == 0);
  }
}

TEST_CASE("ring allreduce sends 2(N-1)S bytes in all", "[sim][collectives]") {
  for (const CostCase& c : kCostCases) {
    INFO(describe(c));
    const SwitchTopology topology(c.workers, link_of(c));
    const auto cost = cost_of("ring_allreduce", topology, c.bytes);
    CHECK(cost.bytes_sent == Approx(2.0 * (c.workers - 1) * c.bytes).epsilon(1e-12).margin(0));
  }
}

TEST_CASE("hand-computed numbers: 8 workers, 1 MB, 50us, 10 Gb/s", "[sim][collectives]") {
  const SwitchTopology topology(8, link_of(50'000, 1.25e9), link_of(50'000, 1.25e9));
  // Ring: 14·50us + 14/8·0.8ms = 0.7ms + 1.4ms.
  CHECK(cost_of("ring_allreduce", topology, 1e6).duration.ns() == 2'100'000);
  // Halving-doubling: 6·50us + 14/8·0.8ms = 0.3ms + 1.4ms.
  CHECK(cost_of("halving_doubling", topology, 1e6).duration.ns() == 1'700'000);
  // Parameter server: 2·(50us + 8·0.8ms) = 12.9ms.
  CHECK(cost_of("parameter_server", topology, 1e6).duration.ns() == 12'900'000);
}

TEST_CASE("halving-doubling on a switch takes 2 log2(N) a + 2(N-1)/N S/B for N = 2^k",
          "[sim][collectives]") {
  for (const int n : {1, 2, 4, 8, 16, 64, 256}) {
    for (const CostCase& c : kCostCases) {
      const CostCase k{n, c.bytes, c.latency_ns, c.bytes_per_second};
      INFO(describe(k));
      const SwitchTopology topology(n, link_of(k));
      const double alpha = static_cast<double>(k.latency_ns) * 1e-9;
      const auto cost = cost_of("halving_doubling", topology, k.bytes);
      check_seconds(cost,
                    2 * log2_ceil(n) * alpha + 2.0 * (n - 1) / n * k.bytes / k.bytes_per_second);
      CHECK(cost.bytes_sent == Approx(2.0 * (n - 1) * k.bytes).epsilon(1e-12));
    }
  }
}

TEST_CASE("halving-doubling folds the r = N - 2^floor(log2 N) extra workers in and out",
          "[sim][collectives]") {
  // 2(a + S/B) for the fold and the unfold, then the power-of-two exchange among p workers.
  for (const int n : {3, 5, 6, 7, 12, 100}) {
    INFO("N=" << n);
    const double alpha = 20e-6, bandwidth = 1e9, bytes = 3e6;
    const SwitchTopology topology(n, link_of(20'000, bandwidth));
    int p = 1;
    while (p * 2 <= n) p *= 2;
    const int r = n - p;
    const auto cost = cost_of("halving_doubling", topology, bytes);
    check_seconds(cost, 2 * (alpha + bytes / bandwidth) + 2 * log2_ceil(p) * alpha +
                            2.0 * (p - 1) / p * bytes / bandwidth);
    CHECK(cost.bytes_sent == Approx(2.0 * r * bytes + 2.0 * (p - 1) * bytes).epsilon(1e-12));
    REQUIRE(cost.phases.size() == 4);
    CHECK(cost.phases.front().name == "fold");
    CHECK(cost.phases.back().name == "unfold");
  }
}

TEST_CASE("binary tree on a switch takes 2d(a + 2S/B) for a full tree of N = 2^(d+1)-1",
          "[sim][collectives]") {
  for (const int d : {0, 1, 2, 3, 4, 6}) {
    const int n = (2 << d) - 1;
    INFO("N=" << n << " d=" << d);
    const double alpha = 50e-6, bandwidth = 1.25e9, bytes = 1e6;
    const SwitchTopology topology(n, link_of(50'000, bandwidth));
    const auto cost = cost_of("binary_tree", topology, bytes);
    check_seconds(cost, 2 * d * (alpha + 2 * bytes / bandwidth));
    CHECK(cost.bytes_sent == Approx(2.0 * (n - 1) * bytes));
  }
}

TEST_CASE("binary tree for N = 2^d: the lone deepest leaf costs a + S/B each way",
          "[sim][collectives]") {
  // Levels 1..d−1 are full (a parent's port carries two children's S), level d holds one node:
  // 2[(d−1)(a + 2S/B) + (a + S/B)] = 2d·a + (4d − 2)·S/B.
  for (const int d : {1, 2, 3, 5, 8}) {
    const int n = 1 << d;
    INFO("N=" << n << " d=" << d);
    const double alpha = 7e-6, bandwidth = 2.5e9, bytes = 4e5;
    const SwitchTopology topology(n, link_of(7'000, bandwidth));
    const auto cost = cost_of("binary_tree", topology, bytes);
    check_seconds(cost, 2 * d * alpha + (4.0 * d - 2) * bytes / bandwidth);
  }
}

TEST_CASE("parameter server takes 2(a + N S/B_server) and moves 2NS bytes", "[sim][collectives]") {
  for (const CostCase& c : kCostCases) {
    INFO(describe(c));
    const SwitchTopology topology(c.workers, link_of(c), link_of(c));
    const double n = c.workers;
    const double alpha = static_cast<double>(c.latency_ns) * 1e-9;
    const auto cost = cost_of("parameter_server", topology, c.bytes);
    check_seconds(cost, 2 * (alpha + n * c.bytes / c.bytes_per_second));
    CHECK(cost.bytes_sent == Approx(2.0 * n * c.bytes).epsilon(1e-15).margin(0));
  }
}

TEST_CASE("a parameter server link of its own: the slower of the worker's and the server's share",
          "[sim][collectives]") {
  const double worker_bandwidth = 1.25e9, bytes = 1e6;
  for (const int n : {1, 4, 16}) {
    INFO("N=" << n);
    // A server N× faster than a worker: each worker's own link is the bottleneck, a + S/B.
    const SwitchTopology fast(n, link_of(10'000, worker_bandwidth),
                              link_of(30'000, n * worker_bandwidth));
    check_seconds(cost_of("parameter_server", fast, bytes), 2 * (30e-6 + bytes / worker_bandwidth));
    // A server 4× faster only: the server's share of N/(4B) for N > 4.
    const SwitchTopology quad(n, link_of(10'000, worker_bandwidth),
                              link_of(30'000, 4 * worker_bandwidth));
    check_seconds(cost_of("parameter_server", quad, bytes),
                  2 * (30e-6 + bytes * std::max(1.0, n / 4.0) / worker_bandwidth));
  }
}

TEST_CASE("participants must be sorted, distinct worker ids", "[sim][collectives]") {
  const SwitchTopology topology(4, Link{});
  const auto ring = sgdsim::make_collective("ring_allreduce");
  const std::vector<std::vector<int>> bad_sets = {{2, 1}, {0, 0}, {0, 4}, {-1, 2}};
  for (const std::vector<int>& bad : bad_sets) {
    CHECK_THROWS_AS(sgdsim::collective_cost(*ring, bad, 1e3, topology), std::invalid_argument);
  }
}

TEST_CASE(
    "hierarchical refuses a topology without nodes, and the parameter server one without a "
    "server",
    "[sim][collectives]") {
  const SwitchTopology topology(4, Link{});
  CHECK_THROWS_WITH(cost_of("hierarchical", topology, 1e3), Catch::Contains("two_level"));
  CHECK_THROWS_WITH(cost_of("parameter_server", topology, 1e3), Catch::Contains("server"));
}

TEST_CASE("make_collective rejects an unknown name, listing the known ones", "[sim][collectives]") {
  try {
    (void)sgdsim::make_collective("x");
    FAIL("make_collective(\"x\") did not throw");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("'x'"));
    for (const auto& info : sgdsim::collective_catalog()) {
      CHECK_THAT(message, Catch::Contains(info.name));
    }
  }
}

TEST_CASE("every catalogued collective can be made and has a description", "[sim][collectives]") {
  const std::vector<std::string> expected = {"ring_allreduce", "halving_doubling", "binary_tree",
                                             "hierarchical", "parameter_server"};
  std::vector<std::string> names;
  for (const auto& info : sgdsim::collective_catalog()) {
    INFO(info.name);
    names.push_back(info.name);
    CHECK_FALSE(info.description.empty());
    CHECK(sgdsim::make_collective(info.name) != nullptr);
  }
  CHECK(names == expected);
}
