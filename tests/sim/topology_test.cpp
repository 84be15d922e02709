// Topologies: routes (latency and the resources crossed) of a switch, a two-level cluster and a
// physical ring, and the flow-level sharing rule that turns a step of transfers into time.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/cluster/schedule.hpp"
#include "sim/cluster/topology.hpp"
#include "tests/support/collective_costs.hpp"

namespace {

using sgdsim::Link;
using sgdsim::NicSharing;
using sgdsim::RingTopology;
using sgdsim::ScheduleStep;
using sgdsim::SimTime;
using sgdsim::SwitchTopology;
using sgdsim::Topology;
using sgdsim::TwoLevelTopology;
using sgdsim::testing::link_of;

// The names of the resources a route crosses, in order.
std::vector<std::string> names_on(const Topology& topology, int src, int dst) {
  std::vector<std::string> names;
  for (const int r : topology.route(src, dst).resources) {
    names.push_back(topology.resources().name(r));
  }
  return names;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("a switch routes any pair through the sender's tx and the receiver's rx port",
          "[sim][topology]") {
  const SwitchTopology topology(4, link_of(50'000, 1.25e9), link_of(7'000, 5e9));
  CHECK(topology.workers() == 4);
  CHECK(topology.server() == 4);
  REQUIRE(topology.resources().size() == 2 * 4 + 2);
  CHECK(topology.route(1, 3).latency.ns() == 50'000);
  CHECK(names_on(topology, 1, 3) == Names{"worker 1 tx", "worker 3 rx"});
  CHECK(names_on(topology, 2, 4) == Names{"worker 2 tx", "server rx"});
  CHECK(topology.route(2, 4).latency.ns() == 7'000);
  CHECK(names_on(topology, 4, 0) == Names{"server tx", "worker 0 rx"});
  CHECK(topology.resources().group(0) == "worker");
  CHECK(topology.resources().bytes_per_second(0) == 1.25e9);
  CHECK(topology.resources().group(topology.resources().size() - 1) == "server");
  CHECK(topology.resources().bytes_per_second(topology.resources().size() - 1) == 5e9);
  CHECK(topology.route(2, 2).resources.empty());
  CHECK(topology.workers_per_node() == 0);
}

TEST_CASE("a topology without a server has no server endpoint", "[sim][topology]") {
  const SwitchTopology topology(3, Link{});
  CHECK(topology.server() == -1);
  CHECK(topology.resources().size() == 6);
  CHECK_THROWS_AS(topology.route(0, 3), std::out_of_range);
  CHECK_THROWS_AS(topology.route(-1, 0), std::out_of_range);
}

TEST_CASE("two_level: intra-node pairs use intra ports, others the inter-node NICs",
          "[sim][topology]") {
  const Link intra = link_of(2'000, 3e11), inter = link_of(10'000, 1.25e10);
  SECTION("a NIC per worker (the default)") {
    const TwoLevelTopology topology(8, 4, intra, inter, NicSharing::per_worker, inter);
    CHECK(topology.workers_per_node() == 4);
    CHECK(topology.route(1, 2).latency.ns() == 2'000);
    CHECK(names_on(topology, 1, 2) == Names{"worker 1 intra tx", "worker 2 intra rx"});
    CHECK(topology.route(1, 6).latency.ns() == 10'000);
    CHECK(names_on(topology, 1, 6) == Names{"worker 1 inter tx", "worker 6 inter rx"});
    CHECK(names_on(topology, 7, 8) == Names{"worker 7 inter tx", "server rx"});
    CHECK(topology.resources().group(topology.route(1, 6).resources[0]) == "inter");
    CHECK(topology.resources().group(topology.route(1, 2).resources[0]) == "intra");
  }
  SECTION("a NIC per node, shared by its workers") {
    const TwoLevelTopology topology(8, 4, intra, inter, NicSharing::per_node);
    CHECK(names_on(topology, 1, 6) == Names{"node 0 nic tx", "node 1 nic rx"});
    CHECK(names_on(topology, 3, 4) == Names{"node 0 nic tx", "node 1 nic rx"});
    CHECK(names_on(topology, 1, 2) == Names{"worker 1 intra tx", "worker 2 intra rx"});
    // Four workers of node 0 sending to node 1 at once share its one NIC: a_o + 4S/B_o.
    ScheduleStep step;
    for (int w = 0; w < 4; ++w) step.transfers.push_back({w, 4 + w, 1e6});
    CHECK(sgdsim::step_seconds(step, topology) == Approx(10e-6 + 4 * 1e6 / 1.25e10));
    const TwoLevelTopology own_nics(8, 4, intra, inter, NicSharing::per_worker);
    CHECK(sgdsim::step_seconds(step, own_nics) == Approx(10e-6 + 1e6 / 1.25e10));
  }
}

TEST_CASE("two_level needs workers_per_node to divide the workers", "[sim][topology]") {
  CHECK_THROWS_WITH(TwoLevelTopology(10, 4, Link{}, Link{}), Catch::Contains("divide"));
  CHECK_THROWS_AS(TwoLevelTopology(10, 0, Link{}, Link{}), std::invalid_argument);
  CHECK_NOTHROW(TwoLevelTopology(10, 5, Link{}, Link{}));
}

TEST_CASE("a ring takes the shorter way around, hops times the link latency", "[sim][topology]") {
  const RingTopology ring(6, link_of(1'000, 1e9));
  REQUIRE(ring.resources().size() == 12);
  CHECK(ring.resources().name(0) == "link 0→1");
  CHECK(ring.resources().name(5) == "link 5→0");
  CHECK(ring.resources().name(6) == "link 1→0");
  CHECK(ring.resources().group(0) == "ring");
  CHECK(names_on(ring, 0, 2) == Names{"link 0→1", "link 1→2"});
  CHECK(ring.route(0, 2).latency.ns() == 2'000);
  CHECK(names_on(ring, 1, 5) == Names{"link 1→0", "link 0→5"});
  CHECK(ring.route(1, 5).latency.ns() == 2'000);
  CHECK(names_on(ring, 4, 1) == Names{"link 4→5", "link 5→0", "link 0→1"});  // a tie: clockwise
  CHECK(ring.route(4, 1).latency.ns() == 3'000);
  CHECK(names_on(ring, 5, 0) == Names{"link 5→0"});
}

TEST_CASE("a ring of two has one link each way; a ring of one has none", "[sim][topology]") {
  const RingTopology two(2, Link{});
  CHECK(two.resources().size() == 2);
  CHECK(names_on(two, 0, 1) == Names{"link 0→1"});
  CHECK(names_on(two, 1, 0) == Names{"link 1→0"});
  const RingTopology one(1, Link{});
  CHECK(one.resources().empty());
}

TEST_CASE("a ring's server hangs off worker 0 by its own link", "[sim][topology]") {
  const RingTopology ring(5, link_of(1'000, 1e9), link_of(4'000, 2e9));
  CHECK(ring.server() == 5);
  CHECK(names_on(ring, 2, 5) == Names{"link 2→1", "link 1→0", "server rx"});
  CHECK(ring.route(2, 5).latency.ns() == 2 * 1'000 + 4'000);
  CHECK(names_on(ring, 5, 3) == Names{"server tx", "link 0→4", "link 4→3"});
  CHECK(names_on(ring, 0, 5) == Names{"server rx"});
  CHECK(ring.route(0, 5).latency.ns() == 4'000);
}

TEST_CASE("flow-level sharing: a step lasts its slowest transfer on its busiest resource",
          "[sim][topology]") {
  const double alpha = 50e-6, bandwidth = 1.25e9, bytes = 1e6;
  const SwitchTopology topology(4, link_of(50'000, bandwidth));
  ScheduleStep disjoint;
  disjoint.transfers = {{0, 1, bytes}, {2, 3, bytes}};
  CHECK(sgdsim::step_seconds(disjoint, topology) == Approx(alpha + bytes / bandwidth));
  ScheduleStep incast;  // three senders into worker 0's one receive port
  incast.transfers = {{1, 0, bytes}, {2, 0, bytes}, {3, 0, bytes}};
  CHECK(sgdsim::step_seconds(incast, topology) == Approx(alpha + 3 * bytes / bandwidth));
  ScheduleStep uneven;  // the larger message sets the time; the port's share is still 1/2
  uneven.transfers = {{1, 0, bytes}, {2, 0, 4 * bytes}};
  CHECK(sgdsim::step_seconds(uneven, topology) == Approx(alpha + 2 * 4 * bytes / bandwidth));
  CHECK(sgdsim::step_seconds(ScheduleStep{}, topology) == 0.0);
}

TEST_CASE("evaluating a schedule: repeats multiply, phases round once and tile",
          "[sim][topology]") {
  const SwitchTopology topology(2, link_of(1'000, 1e9));
  ScheduleStep step;
  step.transfers = {{0, 1, 0.6}};  // 1 us + 0.6 ns
  step.repeat = 3;
  const sgdsim::Schedule schedule = {{"a", {step}}, {"b", {step, step}}};
  const auto cost = sgdsim::evaluate_schedule(schedule, topology);
  REQUIRE(cost.phases.size() == 2);
  CHECK(cost.phases[0].name == "a");
  CHECK(cost.phases[0].duration.ns() == 3'002);  // 3001.8 rounded once, not 3 × 1001
  CHECK(cost.phases[1].duration.ns() == 6'004);  // 6003.6
  CHECK(cost.duration.ns() == 3'002 + 6'004);
  CHECK(cost.bytes_sent == Approx(9 * 0.6));
  // Only the resources crossed, by id: worker 0 tx and worker 1 rx.
  REQUIRE(cost.resource_bytes.size() == 2);
  CHECK(cost.resource_bytes[0].resource == 0);
  CHECK(cost.resource_bytes[1].resource == 3);
  CHECK(cost.bytes_on(0) == Approx(5.4));
  CHECK(cost.bytes_on(1) == 0.0);
  CHECK(cost.bytes_on(2) == 0.0);
  CHECK(cost.bytes_on(3) == Approx(5.4));
}

TEST_CASE("every catalogued topology has a description", "[sim][topology]") {
  std::vector<std::string> names;
  for (const auto& info : sgdsim::topology_catalog()) {
    names.push_back(info.name);
    CHECK_FALSE(info.description.empty());
  }
  CHECK(names == std::vector<std::string>{"switch", "two_level", "ring"});
}
