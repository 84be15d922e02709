// Collectives on two-level clusters and physical rings against their closed forms, and the
// properties every collective has on every topology: bytes conserved, phases tiling the
// duration, the parameter server's incast, subsets of participants.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/cluster/collectives.hpp"
#include "sim/cluster/topology.hpp"
#include "tests/support/collective_costs.hpp"

namespace {

using sgdsim::CollectiveCost;
using sgdsim::Link;
using sgdsim::NicSharing;
using sgdsim::RingTopology;
using sgdsim::SimTime;
using sgdsim::SwitchTopology;
using sgdsim::Topology;
using sgdsim::TwoLevelTopology;
using sgdsim::testing::check_seconds;
using sgdsim::testing::cost_of;
using sgdsim::testing::CostCase;
using sgdsim::testing::describe;
using sgdsim::testing::kCostCases;
using sgdsim::testing::link_of;
using sgdsim::testing::log2_ceil;

// Nodes of g workers, M nodes.
const std::vector<std::pair<int, int>> kNodeShapes = {{8, 4}, {4, 2}, {2, 8}, {1, 4},
                                                      {5, 3}, {8, 1}, {3, 7}, {2, 2}};

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Bytes over the resources whose names end in `suffix` (" tx" or " rx").
double bytes_through(const CollectiveCost& cost, const Topology& topology,
                     const std::string& suffix) {
  double total = 0.0;
  for (std::size_t r = 0; r < topology.resources().size(); ++r) {
    if (ends_with(topology.resources().name(r), suffix))
      total += cost.bytes_on(static_cast<int>(r));
  }
  return total;
}

SimTime sum_of_phases(const CollectiveCost& cost) {
  SimTime total;
  for (const auto& phase : cost.phases) total += phase.duration;
  return total;
}

// Every topology kind, with a parameter server, for N workers (two_level with nodes of 2 when N
// is even, else nodes of 1).
std::vector<std::pair<std::string, std::unique_ptr<Topology>>> topologies_for(int n) {
  const Link worker = link_of(5'000, 1.25e9);
  const Link intra = link_of(1'000, 5e10);
  const int g = n % 2 == 0 ? 2 : 1;
  std::vector<std::pair<std::string, std::unique_ptr<Topology>>> all;
  all.emplace_back("switch", std::make_unique<SwitchTopology>(n, worker, worker));
  all.emplace_back(
      "two_level per worker NIC",
      std::make_unique<TwoLevelTopology>(n, g, intra, worker, NicSharing::per_worker, worker));
  all.emplace_back(
      "two_level per node NIC",
      std::make_unique<TwoLevelTopology>(n, g, intra, worker, NicSharing::per_node, worker));
  all.emplace_back("ring", std::make_unique<RingTopology>(n, worker, worker));
  return all;
}

bool runs_on(const std::string& collective, const Topology& topology) {
  return collective != "hierarchical" || topology.workers_per_node() > 0;
}

}  // namespace

TEST_CASE("hierarchical on two_level takes 2 ceil(log2 g)(a_i + S/B_i) + 2(M-1)(a_o + S/(M B_o))",
          "[sim][collectives]") {
  const Link intra = link_of(2'000, 3e11);
  const Link inter = link_of(10'000, 1.25e10);
  const double bytes = 1e8;
  for (const auto& [g, m] : kNodeShapes) {
    for (const NicSharing nic : {NicSharing::per_worker, NicSharing::per_node}) {
      INFO("g=" << g << " M=" << m << " per_node=" << (nic == NicSharing::per_node));
      const TwoLevelTopology topology(g * m, g, intra, inter, nic);
      const auto cost = cost_of("hierarchical", topology, bytes);
      check_seconds(cost, 2 * log2_ceil(g) * (2e-6 + bytes / 3e11) +
                              2 * (m - 1) * (10e-6 + bytes / (m * 1.25e10)));
      CHECK(cost.bytes_sent ==
            Approx(2.0 * (g - 1) * m * bytes + 2.0 * (m - 1) * bytes).epsilon(1e-12));
      REQUIRE(cost.phases.size() == 4);
      CHECK(cost.phases[0].name == "intra_reduce");
      CHECK(cost.phases[3].name == "intra_broadcast");
    }
  }
}

TEST_CASE("ring allreduce on two_level takes 2(N-1) max(a_i + S/(N B_i), a_o + S/(N B_o))",
          "[sim][collectives]") {
  const double bytes = 6.4e7;
  const std::vector<std::pair<Link, Link>> intra_inter = {
      {link_of(2'000, 3e11), link_of(10'000, 1.25e10)},  // NVLink-class and 100 Gb/s
      {link_of(30'000, 1e9), link_of(1'000, 1e10)}};     // intra slower than inter
  for (const auto& [intra, inter] : intra_inter) {
    for (const auto& [g, m] : kNodeShapes) {
      if (g == 1 || m == 1) continue;  // the closed form assumes both kinds of hop
      for (const NicSharing nic : {NicSharing::per_worker, NicSharing::per_node}) {
        const int n = g * m;
        INFO("g=" << g << " M=" << m << " per_node=" << (nic == NicSharing::per_node));
        const TwoLevelTopology topology(n, g, intra, inter, nic);
        const double step =
            std::max(intra.latency.seconds() + bytes / (n * intra.bytes_per_second),
                     inter.latency.seconds() + bytes / (n * inter.bytes_per_second));
        check_seconds(cost_of("ring_allreduce", topology, bytes), 2 * (n - 1) * step);
      }
    }
  }
}

TEST_CASE("ring allreduce on a physical ring takes as long as on a switch", "[sim][collectives]") {
  for (const CostCase& c : kCostCases) {
    INFO(describe(c));
    const RingTopology ring(c.workers, link_of(c));
    const SwitchTopology star(c.workers, link_of(c));
    const auto on_ring = cost_of("ring_allreduce", ring, c.bytes);
    CHECK(on_ring.duration == cost_of("ring_allreduce", star, c.bytes).duration);
    // Every link direction clockwise carries 2(N−1)·S/N; counter-clockwise ones carry nothing.
    for (std::size_t r = 0; r < ring.resources().size(); ++r) {
      INFO(ring.resources().name(r));
      const double expected = r < static_cast<std::size_t>(c.workers)
                                  ? 2.0 * (c.workers - 1) * c.bytes / c.workers
                                  : 0.0;
      CHECK(on_ring.bytes_on(static_cast<int>(r)) == Approx(expected).epsilon(1e-12));
    }
  }
}

TEST_CASE("on a physical ring, a tree's long hops cost hops·a and share the links they cross",
          "[sim][collectives]") {
  const double alpha = 10e-6, bandwidth = 1e9, bytes = 1e6;
  // 3 workers: the root's two children arrive over different links (1→0 and 2→0), unlike the
  // switch's one shared port: a + S/B each way.
  const RingTopology ring3(3, link_of(10'000, bandwidth));
  check_seconds(cost_of("binary_tree", ring3, bytes), 2 * (alpha + bytes / bandwidth));
  // 7 workers, reduce. Level 2: 3→1 goes 3→2→1, 4→1 goes 4→3→2→1, 5→2 goes 5→4→3→2, 6→2 goes
  // 6→0→1→2; the link 3→2 carries three of them: 3a + 3S/B. Level 1: 1→0 and 2→1→0 share 1→0:
  // 2a + 2S/B. The broadcast mirrors it, so 10(a + S/B) in all.
  const RingTopology ring7(7, link_of(10'000, bandwidth));
  const auto cost = cost_of("binary_tree", ring7, bytes);
  check_seconds(cost, 10 * (alpha + bytes / bandwidth));
  CHECK(cost.phases[0].duration == cost.phases[1].duration);
}

TEST_CASE("bytes are conserved: what leaves the transmit ports arrives at the receive ports",
          "[sim][collectives]") {
  for (const int n : {1, 2, 4, 6, 9, 16}) {
    for (const auto& [label, topology] : topologies_for(n)) {
      if (label == "ring") continue;  // multi-hop routes count a message on every link
      for (const auto& info : sgdsim::collective_catalog()) {
        if (!runs_on(info.name, *topology)) continue;
        INFO("N=" << n << " " << label << " " << info.name);
        const auto cost = cost_of(info.name, *topology, 1e6);
        for (const auto& carried : cost.resource_bytes) CHECK(carried.bytes > 0);
        CHECK(bytes_through(cost, *topology, " tx") == Approx(cost.bytes_sent).epsilon(1e-12));
        CHECK(bytes_through(cost, *topology, " rx") == Approx(cost.bytes_sent).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("each collective's phases tile its duration exactly on every topology",
          "[sim][collectives]") {
  for (const auto& info : sgdsim::collective_catalog()) {
    SECTION(info.name) {
      for (const int n : {1, 2, 3, 4, 8, 10, 32}) {
        for (const auto& [label, topology] : topologies_for(n)) {
          if (!runs_on(info.name, *topology)) continue;
          INFO("N=" << n << " " << label);
          const auto cost = cost_of(info.name, *topology, 123'456.0);
          CHECK_FALSE(cost.phases.empty());
          CHECK(sum_of_phases(cost) == cost.duration);
          for (const auto& phase : cost.phases) {
            CHECK_FALSE(phase.name.empty());
            CHECK(phase.duration >= SimTime::zero());
          }
          if (n > 1 || info.name == "parameter_server") CHECK(cost.duration > SimTime::zero());
        }
      }
    }
  }
}

TEST_CASE("the parameter server's time grows linearly in N while the ring's stays flat",
          "[sim][collectives]") {
  // Doubling N doubles the server's time (its one link carries N·S each way), while the ring's
  // bandwidth term 2(N−1)/N·S/B stays below 2S/B.
  const double bytes = 1e7, bandwidth = 1.25e9;
  const Link link = link_of(1'000, bandwidth);
  const auto time_of = [&](const std::string& collective, int n) {
    return cost_of(collective, SwitchTopology(n, link, link), bytes).duration.seconds();
  };
  for (int n = 8; n <= 256; n *= 2) {
    INFO("N=" << n);
    CHECK(time_of("parameter_server", n) / time_of("parameter_server", n / 2) ==
          Approx(2.0).epsilon(1e-3));
    CHECK(time_of("ring_allreduce", n) / time_of("ring_allreduce", n / 2) < 1.2);
    CHECK(time_of("ring_allreduce", n) - 2 * (n - 1) * 1e-6 < 2 * bytes / bandwidth);
    CHECK(time_of("ring_allreduce", n) < time_of("parameter_server", n));
  }
}

TEST_CASE("a subset of participants averages among itself alone", "[sim][collectives]") {
  const double alpha = 50e-6, bandwidth = 1.25e9, bytes = 1e6;
  const Link link = link_of(50'000, bandwidth);
  const SwitchTopology topology(8, link, link);
  const std::vector<int> present = {1, 3, 4, 6};
  const double n = 4;
  for (const auto& info : sgdsim::collective_catalog()) {
    if (info.name == "hierarchical") continue;
    INFO(info.name);
    const auto cost = cost_of(info.name, topology, bytes, present);
    // No byte touches an absent worker's ports.
    for (const int absent : {0, 2, 5, 7}) {
      CHECK(cost.bytes_on(2 * absent) == 0.0);
      CHECK(cost.bytes_on(2 * absent + 1) == 0.0);
    }
  }
  check_seconds(cost_of("ring_allreduce", topology, bytes, present),
                2 * (n - 1) * alpha + 2 * (n - 1) / n * bytes / bandwidth);
  check_seconds(cost_of("halving_doubling", topology, bytes, present),
                2 * 2 * alpha + 2 * (n - 1) / n * bytes / bandwidth);
  check_seconds(cost_of("parameter_server", topology, bytes, present),
                2 * (alpha + n * bytes / bandwidth));
  // Hierarchical with nodes {0,1,2} and {5,6} present of two nodes of 4: the larger node needs
  // ceil(log2 3) = 2 binomial steps each way, then a ring of the 2 leaders.
  const TwoLevelTopology two_level(8, 4, link_of(2'000, 3e11), link_of(10'000, 1.25e10));
  const auto cost = cost_of("hierarchical", two_level, bytes, {0, 1, 2, 5, 6});
  check_seconds(cost, 2 * 2 * (2e-6 + bytes / 3e11) + 2 * (10e-6 + bytes / (2 * 1.25e10)));
  CHECK(cost.bytes_sent == Approx(2.0 * 3 * bytes + 2.0 * bytes));
}
