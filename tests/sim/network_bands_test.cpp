// network.by_size: links by payload size, as `sgdsim calibrate` fits them, read, costed, echoed
// and refused where they do not fit; the cluster file calibrate writes loads back unchanged.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/calibration/cluster_file.hpp"
#include "sim/cluster/network.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using Catch::Matchers::Contains;
using namespace sgdsim;
using sgdsim::testing::TempDir;

std::string scenario_with(const std::string& network) {
  return "name: bands\nworkers: 4\nsteps: 8\n"
         "algorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
         "model: {kind: softmax}\n"
         "data: {kind: synthetic, samples: 100, test_samples: 0, features: 3, classes: 2}\n"
         "compute: {kind: constant, mean: 1ms}\n" +
         network;
}

const char* kTwoBands =
    "network:\n  by_size:\n    - {up_to: 1KB, latency: 1ms, bandwidth: 1Gbps}\n"
    "    - {latency: 2ms, bandwidth: 100Mbps}\n";

std::string first_error(const std::string& network) {
  try {
    load_scenario_text(scenario_with(network), "s.yaml");
  } catch (const ConfigError& e) {
    return e.messages().front();
  }
  return "";
}

}  // namespace

TEST_CASE("each payload travels on its size band's link", "[sim][network][bands]") {
  const Scenario s = load_scenario_text(scenario_with(kTwoBands), "s.yaml");
  REQUIRE(s.network.by_size.size() == 2);
  CHECK(s.network.by_size[0].up_to_bytes == 1000);
  CHECK(std::isinf(s.network.by_size[1].up_to_bytes));
  Network network(s.network, 4);
  const auto everyone = all_workers(4);
  // Ring allreduce over 4: 6 steps of α + (S/4)/β.
  CHECK(network.allreduce_cost(everyone, 1000)->duration.seconds() ==
        Approx(6 * (1e-3 + 250 / 1.25e8)));
  CHECK(network.allreduce_cost(everyone, 1001)->duration.seconds() ==
        Approx(6 * (2e-3 + 1001 / 4.0 / 1.25e7)));
  // Echoed as written, and the echo reads back to the same bands.
  const auto json = scenario_to_json(s);
  CHECK(json["network"]["by_size"][0]["up_to"] == "1KB");
  CHECK_FALSE(json["network"]["by_size"][1].contains("up_to"));
  CHECK_FALSE(json["network"].contains("latency"));
}

TEST_CASE("size bands that do not describe every size are refused at their key",
          "[sim][network][bands]") {
  CHECK_THAT(first_error("network:\n  by_size:\n    - {up_to: 1KB, latency: 1ms, bandwidth: "
                         "1Gbps}\n    - {up_to: 2KB, latency: 2ms, bandwidth: 1Gbps}\n"),
             Contains("network.by_size[1].up_to") && Contains("leave its up_to out"));
  CHECK_THAT(first_error("network:\n  by_size:\n    - {latency: 1ms, bandwidth: 1Gbps}\n"
                         "    - {latency: 2ms, bandwidth: 1Gbps}\n"),
             Contains("network.by_size[0].up_to") && Contains("missing"));
  CHECK_THAT(first_error("network:\n  by_size:\n    - {up_to: 2KB, latency: 1ms, bandwidth: "
                         "1Gbps}\n    - {up_to: 1KB, latency: 1ms, bandwidth: 1Gbps}\n"
                         "    - {latency: 2ms, bandwidth: 1Gbps}\n"),
             Contains("network.by_size[1].up_to") && Contains("must exceed"));
  CHECK_THAT(first_error("network:\n  by_size:\n    - {up_to: 1KB, latency: 1ms}\n"
                         "    - {latency: 2ms, bandwidth: 1Gbps}\n"),
             Contains("network.by_size[0].bandwidth"));
  CHECK_THAT(first_error("network:\n  latency: 5us\n  by_size:\n    - {latency: 2ms, bandwidth: "
                         "1Gbps}\n"),
             Contains("network.latency") && Contains("by_size"));
  CHECK_THAT(first_error("network:\n  by_size: [1, 2]\n"),
             Contains("network.by_size[0]") && Contains("expected a mapping"));
  CHECK_THAT(first_error("network:\n  by_size: []\n"), Contains("network.by_size"));
  CHECK_THAT(first_error("network:\n  topology: two_level\n  workers_per_node: 2\n"
                         "  intra: {latency: 1us, bandwidth: 1GB/s}\n"
                         "  inter: {latency: 1us, bandwidth: 1GB/s}\n"
                         "  by_size:\n    - {latency: 2ms, bandwidth: 1Gbps}\n"),
             Contains("network.by_size") && Contains("switch and ring"));
}

TEST_CASE("the cluster file calibrate writes loads back with its bands and step times",
          "[sim][network][bands][calibration]") {
  TempDir dir("calibrated_cluster");
  Calibration c;
  c.created_utc = "2026-12-02T08:00:00Z";
  c.command = "sgdsim calibrate s.yaml --out cluster.yaml";
  c.hosts = {"node-a", "node-a", "node-b", "node-b"};
  c.ranks = 4;
  NetworkCalibration n;
  for (double s = 8; s <= 1 << 20; s *= 2) {
    n.fit.points.push_back({s, s < 5000 ? 3e-6 + s * 2e-9 : 40e-6 + s * 0.8e-9});
  }
  n.fit = fit_piecewise(n.fit.points, {});
  n.network.by_size = bands_from_fit(n.fit, n.network, 4);
  n.check = check_prediction(n.fit, n.network, 4);
  c.network = n;
  ComputeCalibration compute;
  compute.step_seconds = {0.0101, 0.0099, 0.0125, 0.0102};
  compute.fit = fit_step_times(compute.step_seconds);
  compute.steps_per_worker = 1;
  compute.what = "softmax on synthetic, batch 4, float32";
  c.compute = compute;
  dir.write("cluster.steps.csv", step_times_csv(compute.step_seconds));
  const std::string text = cluster_file_text(c, "cluster.steps.csv");
  CHECK_THAT(text, Contains("node-a (2 ranks), node-b (2 ranks)"));
  CHECK_THAT(text, Contains("R^2 of log(time)"));
  dir.write("cluster.yaml", text);
  const std::string scenario =
      "name: uses_calibration\ncluster: cluster.yaml\nsteps: 8\n"
      "algorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
      "model: {kind: softmax}\n"
      "data: {kind: synthetic, samples: 100, test_samples: 0, features: 3, classes: 2}\n";
  const Scenario s = load_scenario_file(dir.write("s.yaml", scenario));
  CHECK(s.workers == 4);
  CHECK(s.network.by_size == n.network.by_size);  // every digit written
  CHECK(s.compute.kind == "empirical");
  CHECK(s.compute.path == (dir / "cluster.steps.csv").string());
  // A scenario of another compute kind replaces the calibrated compute, keeping the network.
  const Scenario emulated =
      load_scenario_file(dir.write("e.yaml", scenario + "compute: {kind: constant, mean: 20ms}\n"));
  CHECK(emulated.compute.kind == "constant");
  CHECK(emulated.network.by_size == n.network.by_size);
}
