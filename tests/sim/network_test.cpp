// The Network a run uses: built from a NetworkSpec, its costs cached, compression on the payload;
// the `network` section of a scenario (every topology and collective, bad combinations reported
// with their key paths, the resolved form loading back); and the link statistics of summary.json.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/cluster/network.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::ConfigError;
using sgdsim::Network;
using sgdsim::NetworkSpec;
using sgdsim::Scenario;
using sgdsim::SimTime;

const std::string kBase = R"(name: net
seed: 3
workers: 8
steps: 8
precision: float64
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 8}
model: {kind: softmax}
data: {kind: synthetic, samples: 400, test_samples: 0, features: 5, classes: 3}
compute: {kind: constant, mean: 1ms}
eval: {every: 0}
output: {trace: false, model: false}
)";

// kBase with a `network:` section of these lines (each indented by two spaces).
std::string with_network(const std::vector<std::string>& lines) {
  std::string text = kBase + "network:\n";
  for (const auto& line : lines) text += "  " + line + "\n";
  return text;
}

Scenario load(const std::string& text) {
  return sgdsim::load_scenario_text(text, "net.yaml");
}

// The messages of the ConfigError that loading `text` throws.
std::vector<std::string> errors_of(const std::string& text) {
  try {
    (void)load(text);
  } catch (const ConfigError& e) {
    return e.messages();
  }
  FAIL("no ConfigError for:\n" << text);
  return {};
}

// The one message holding every fragment.
std::string message_with(const std::vector<std::string>& messages,
                         const std::vector<std::string>& fragments) {
  std::vector<std::string> found;
  std::string listing;
  for (const auto& message : messages) {
    listing += "\n  " + message;
    bool all = true;
    for (const auto& fragment : fragments) all = all && message.find(fragment) != std::string::npos;
    if (all) found.push_back(message);
  }
  INFO("messages:" << listing);
  REQUIRE(found.size() == 1);
  return found.front();
}

// "net.yaml:L:" for the line of `text` equal to "  " + `line`.
std::string location(const std::string& text, const std::string& line) {
  const auto at = text.find("\n  " + line + "\n");
  REQUIRE(at != std::string::npos);
  const auto number = std::count(text.begin(), text.begin() + static_cast<long>(at) + 1, '\n') + 1;
  return "net.yaml:" + std::to_string(number) + ":";
}

NetworkSpec switch_spec(std::int64_t latency_ns, double bytes_per_second) {
  NetworkSpec spec;
  spec.link = {SimTime::from_ns(latency_ns), bytes_per_second};
  return spec;
}

}  // namespace

TEST_CASE("Network::allreduce_cost is the collective's schedule on the topology",
          "[sim][network]") {
  Network network(switch_spec(50'000, 1.25e9), 8);
  const auto cost = *network.allreduce_cost(sgdsim::all_workers(8), 1e6);
  CHECK(cost.duration.ns() == 2'100'000);  // 14·50us + 14/8·0.8ms
  CHECK(cost.bytes_sent == Approx(14e6));
  CHECK(network.resources().size() == 16);  // no server: the ring needs none
  CHECK(network.resources().name(3) == "worker 1 rx");
  CHECK(cost.resource_bytes.size() == network.resources().size());  // the ring crosses every port
}

TEST_CASE("the cache returns identical results, keyed by participants and payload",
          "[sim][network]") {
  NetworkSpec spec = switch_spec(10'000, 1e9);
  spec.collective = "halving_doubling";
  Network network(spec, 6);
  const auto all = sgdsim::all_workers(6);
  const auto first = network.allreduce_cost(all, 1e6);
  CHECK(network.allreduce_cost(all, 1e6) == first);  // the cached cost itself, shared
  CHECK(*network.allreduce_cost({0, 1, 2, 3}, 1e6) != *first);
  CHECK(*network.allreduce_cost(all, 2e6) != *first);
  CHECK(network.allreduce_cost(all, 1e6) == first);
  // And the cached value is what a fresh computation gives.
  Network fresh(spec, 6);
  CHECK(*fresh.allreduce_cost(all, 1e6) == *first);
}

TEST_CASE("compression divides the bandwidth term and leaves the latency term", "[sim][network]") {
  NetworkSpec spec = switch_spec(50'000, 1.25e9);
  const double auto_bytes = 4e6;
  CHECK(sgdsim::payload_on_wire(spec, auto_bytes) == auto_bytes);
  spec.compression = 4;  // 8-bit quantisation of float32
  CHECK(sgdsim::payload_on_wire(spec, auto_bytes) == 1e6);
  spec.payload_bytes = 8e6;
  CHECK(sgdsim::payload_on_wire(spec, auto_bytes) == 2e6);
  spec.payload_bytes.reset();
  Network network(spec, 8);
  const auto cost =
      *network.allreduce_cost(sgdsim::all_workers(8), sgdsim::payload_on_wire(spec, auto_bytes));
  // 2(N−1)α + 2(N−1)/N·(S/4)/B: 0.7 ms + 14/8·0.8 ms.
  CHECK(cost.duration.ns() == 2'100'000);
  CHECK(cost.bytes_sent == Approx(14e6));
}

TEST_CASE("Network refuses specs that do not fit its workers", "[sim][network]") {
  NetworkSpec hierarchical_on_switch;
  hierarchical_on_switch.collective = "hierarchical";
  CHECK_THROWS_WITH(Network(hierarchical_on_switch, 8), Catch::Contains("two_level"));
  NetworkSpec uneven;
  uneven.topology = "two_level";
  uneven.workers_per_node = 3;
  CHECK_THROWS_AS(Network(uneven, 8), std::invalid_argument);
  NetworkSpec unknown;
  unknown.topology = "torus";
  CHECK_THROWS_WITH(Network(unknown, 8), Catch::Contains("two_level"));
}

TEST_CASE("the server link defaults to the worker link: inter on two_level", "[sim][network]") {
  NetworkSpec spec = switch_spec(5'000, 2e9);
  CHECK(sgdsim::server_link(spec) == spec.link);
  spec.topology = "two_level";
  spec.inter = {SimTime::from_ns(9'000), 3e9};
  CHECK(sgdsim::server_link(spec) == spec.inter);
  spec.server = sgdsim::Link{SimTime::from_ns(1'000), 4e10};
  CHECK(sgdsim::server_link(spec) == *spec.server);
  spec.collective = "parameter_server";
  spec.workers_per_node = 4;
  Network network(spec, 8);
  CHECK(network.resources().name(network.resources().size() - 1) == "server rx");
  CHECK(network.resources().bytes_per_second(network.resources().size() - 1) == 4e10);
}

TEST_CASE("every topology and collective loads from YAML and its resolved form loads back",
          "[sim][network][scenario]") {
  const std::vector<std::vector<std::string>> topologies = {
      {"topology: switch", "latency: 20us", "bandwidth: 25Gbps"},
      {"topology: ring", "latency: 1us", "bandwidth: 100GB/s"},
      {"topology: two_level", "workers_per_node: 4", "intra: {latency: 2us, bandwidth: 300GB/s}",
       "inter: {latency: 10us, bandwidth: 100Gbps}"},
      {"topology: two_level", "workers_per_node: 2", "nic: per_node",
       "intra: {latency: 2us, bandwidth: 300GB/s}", "inter: {latency: 10us, bandwidth: 100Gbps}"},
  };
  for (const auto& topology : topologies) {
    for (const auto& info : sgdsim::collective_catalog()) {
      const bool two_level = topology.front() == "topology: two_level";
      if (info.name == "hierarchical" && !two_level) continue;
      std::vector<std::string> lines = topology;
      lines.push_back("collective: " + info.name);
      lines.push_back("payload: auto");
      lines.push_back("compression: 4");
      if (info.name == "parameter_server") lines.push_back("server: {bandwidth: 400Gbps}");
      const std::string text = with_network(lines);
      INFO(text);
      const Scenario s = load(text);
      CHECK(s.network.topology == topology.front().substr(10));
      CHECK(s.network.collective == info.name);
      CHECK(s.network.compression == 4.0);
      if (two_level) {
        CHECK(s.network.intra.latency.ns() == 2'000);
        CHECK(s.network.intra.bytes_per_second == 3e11);
        CHECK(s.network.inter.bytes_per_second == 1.25e10);
      }
      if (info.name == "parameter_server") {
        REQUIRE(s.network.server.has_value());
        CHECK(s.network.server->bytes_per_second == 5e10);
        // Its latency, left out, follows the worker link: inter on two_level.
        CHECK(s.network.server->latency == (two_level ? s.network.inter : s.network.link).latency);
      }
      Network network(s.network, s.workers);
      CHECK(network.allreduce_cost(sgdsim::all_workers(s.workers), 1e6)->duration >
            SimTime::zero());

      const std::string resolved = sgdsim::scenario_to_json(s).dump(2);
      INFO(resolved);
      const Scenario again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
      CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
      CHECK(again.network.topology == s.network.topology);
      CHECK(again.network.link == s.network.link);
      CHECK(again.network.intra == s.network.intra);
      CHECK(again.network.inter == s.network.inter);
      CHECK(again.network.nic == s.network.nic);
      CHECK(again.network.workers_per_node == s.network.workers_per_node);
      CHECK(again.network.server == s.network.server);
      CHECK(again.network.compression == s.network.compression);
    }
  }
}

TEST_CASE("the network section keeps its old keys and defaults", "[sim][network][scenario]") {
  const Scenario plain = load(kBase);
  CHECK(plain.network.topology == "switch");
  CHECK(plain.network.collective == "ring_allreduce");
  CHECK(plain.network.compression == 1.0);
  CHECK_FALSE(plain.network.server.has_value());
  const Scenario s = load(with_network({"latency: 2ms", "bandwidth: 1Gbps", "payload: 4MiB"}));
  CHECK(s.network.link.latency.ns() == 2'000'000);
  CHECK(s.network.link.bytes_per_second == 1.25e8);
  CHECK(*s.network.payload_bytes == 4.0 * 1024 * 1024);
}

TEST_CASE("bad network combinations are reported with file, line and key path",
          "[sim][network][scenario]") {
  const std::string intra = "intra: {latency: 2us, bandwidth: 300GB/s}";
  const std::string inter = "inter: {latency: 10us, bandwidth: 100Gbps}";
  SECTION("hierarchical needs two_level") {
    const std::string text = with_network({"collective: hierarchical"});
    const auto message = message_with(errors_of(text), {"network.collective", "two_level"});
    CHECK_THAT(message, Catch::StartsWith(location(text, "collective: hierarchical")));
  }
  SECTION("two_level keys on a switch") {
    const std::string text = with_network({"latency: 5us", intra, "workers_per_node: 4"});
    const auto messages = errors_of(text);
    message_with(messages, {location(text, intra), "network.intra",
                            "intra applies to topology two_level only"});
    message_with(messages, {"network.workers_per_node", "two_level only"});
  }
  SECTION("a switch's latency on two_level") {
    const std::string text =
        with_network({"topology: two_level", "workers_per_node: 4", intra, inter, "latency: 5us"});
    message_with(errors_of(text),
                 {location(text, "latency: 5us"), "network.latency", "intra and inter"});
  }
  SECTION("workers_per_node must divide workers") {
    const std::string text =
        with_network({"topology: two_level", "workers_per_node: 3", intra, inter});
    message_with(errors_of(text),
                 {location(text, "workers_per_node: 3"), "network.workers_per_node", "8 workers"});
  }
  SECTION("two_level requires its links") {
    const std::string text = with_network(
        {"topology: two_level", "workers_per_node: 4", intra, "inter: {latency: 10us}"});
    const auto messages = errors_of(text);
    message_with(messages, {"network.inter.bandwidth", "missing"});
    const auto missing = errors_of(with_network({"topology: two_level", intra, inter}));
    message_with(missing, {"network.workers_per_node", "missing"});
  }
  SECTION("server only with the parameter server") {
    const std::string text = with_network({"server: {bandwidth: 40Gbps}"});
    message_with(errors_of(text), {location(text, "server: {bandwidth: 40Gbps}"), "network.server",
                                   "parameter_server"});
  }
  SECTION("compression below 1") {
    message_with(errors_of(with_network({"compression: 0.5"})), {"network.compression"});
  }
  SECTION("an unknown topology lists the known ones") {
    const auto message =
        message_with(errors_of(with_network({"topology: torus"})), {"network.topology"});
    for (const char* known : {"switch", "two_level", "ring"}) {
      CHECK_THAT(message, Catch::Contains(known));
    }
  }
  SECTION("a misspelled server key") {
    message_with(
        errors_of(with_network({"collective: parameter_server", "server: {bandwith: 40Gbps}"})),
        {"network.server.bandwith", "bandwidth"});
  }
}

TEST_CASE("summary.json reports each link's bytes and utilisation, and totals per group",
          "[sim][network][run_scenario]") {
  sgdsim::testing::TempDir dir("network_test");
  const Scenario s = load(with_network({"topology: two_level", "workers_per_node: 4",
                                        "intra: {latency: 2us, bandwidth: 300GB/s}",
                                        "inter: {latency: 10us, bandwidth: 10Gbps}",
                                        "collective: parameter_server", "payload: 1MB"}));
  sgdsim::RunOptions options;
  options.out_dir = (dir / "out").string();
  options.quiet = true;
  const auto outcome = sgdsim::run_scenario(s, options);
  const auto summary =
      nlohmann::json::parse(sgdsim::testing::read_file(dir / "out" / "summary.json"));
  const std::int64_t rounds = summary["comm_rounds"];
  REQUIRE(rounds == 2);
  const double sim_time = summary["sim_time_s"];
  double server_bytes = 0.0;
  for (const auto& link : summary["links"]) {
    INFO(link.dump());
    CHECK(link["bytes"].get<double>() > 0);
    CHECK(link["group"] != "intra");  // the parameter server uses no intra-node link
    const double expected =
        link["bytes"].get<double>() / (link["bandwidth_bytes_per_s"].get<double>() * sim_time);
    CHECK(link["utilisation"].get<double>() == Approx(expected));
    CHECK(link["utilisation"].get<double>() <= 1.0);
    if (link["group"] == "server") server_bytes += link["bytes"].get<double>();
    if (link["name"] == "server rx") CHECK(link["bytes"].get<double>() == Approx(rounds * 8e6));
    if (link["name"] == "worker 5 inter tx") CHECK(link["bytes"].get<double>() == rounds * 1e6);
  }
  CHECK(server_bytes == Approx(summary["bytes_sent"].get<double>()));
  std::vector<std::string> groups;
  for (const auto& group : summary["link_groups"]) groups.push_back(group["group"]);
  CHECK(groups == std::vector<std::string>{"intra", "inter", "server"});
  CHECK(summary["link_groups"][0]["bytes"] == 0.0);
  CHECK(outcome.result.resource_bytes.size() == 2 * 8 + 2 * 8 + 2);
}
