// The network resources as runs: ids in order of appending, names made on demand, a run's group
// and bandwidth, and the errors of a bad bandwidth or id.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "sim/cluster/resource_table.hpp"
#include "sim/cluster/topology.hpp"

using sgdsim::ResourceTable;

TEST_CASE("resource runs get consecutive ids and their own names, group and bandwidth",
          "[sim][network]") {
  ResourceTable table;
  CHECK(table.empty());
  CHECK(table.append(4, "worker", 1e9, [](int i) { return fmt::format("port {}", i); }) == 0);
  CHECK(table.append(0, "none", 0.0, [](int) { return std::string("never"); }) == 4);
  CHECK(table.append(2, "server", 5e9, [](int i) { return fmt::format("server {}", i); }) == 4);
  REQUIRE(table.size() == 6);
  CHECK(table.name(0) == "port 0");
  CHECK(table.name(3) == "port 3");
  CHECK(table.name(4) == "server 0");
  CHECK(table.name(5) == "server 1");
  CHECK(table.group(3) == "worker");
  CHECK(table.group(4) == "server");
  CHECK(table.bytes_per_second(3) == 1e9);
  CHECK(table.bytes_per_second(5) == 5e9);
  const sgdsim::ResourceInfo info = table.info(5);
  CHECK(info.name == "server 1");
  CHECK(info.group == "server");
  CHECK(info.bytes_per_second == 5e9);
  CHECK_THROWS_AS(table.name(6), std::out_of_range);
  CHECK_THROWS_WITH(table.append(1, "x", 0.0, [](int) { return std::string("nic 7 tx"); }),
                    "nic 7 tx: bandwidth must be above zero");
  CHECK(table.size() == 6);
}

TEST_CASE("a million workers' ports are named on demand", "[sim][network]") {
  const sgdsim::SwitchTopology topology(1'000'000, sgdsim::Link{}, sgdsim::Link{});
  REQUIRE(topology.resources().size() == 2'000'002);
  CHECK(topology.resources().name(1'999'999) == "worker 999999 rx");
  CHECK(topology.resources().name(2'000'000) == "server tx");
  CHECK(topology.resources().group(1'999'998) == "worker");
}
