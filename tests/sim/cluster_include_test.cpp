#include <catch2/catch.hpp>

#include "sim/scenario/scenario.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using Catch::Matchers::Contains;
using sgdsim::ConfigError;
using sgdsim::load_scenario_file;
using sgdsim::testing::TempDir;

const char* kCluster = R"(description: two fast workers on a slow network
workers: 2
compute: {kind: constant, mean: 7ms}
network: {latency: 1ms, bandwidth: 1Gbps}
)";

std::string scenario_with(const std::string& extra) {
  return "name: included\n"
         "cluster: clusters/two.yaml\n"
         "steps: 10\n"
         "algorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
         "model: {kind: softmax}\n"
         "data: {kind: synthetic, samples: 100, test_samples: 0, features: 3, classes: 2}\n" +
         extra;
}

std::string first_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario_file(path, overrides);
  } catch (const ConfigError& e) {
    return e.messages().front();
  }
  return "";
}

}  // namespace

TEST_CASE("a cluster file supplies workers, compute and network relative to the scenario",
          "[sim][scenario][cluster]") {
  TempDir dir("cluster_include");
  std::filesystem::create_directories(dir / "clusters");
  dir.write("clusters/two.yaml", kCluster);
  const auto scenario = load_scenario_file(dir.write("s.yaml", scenario_with("")));
  CHECK(scenario.workers == 2);
  CHECK(scenario.compute.mean.ns() == 7'000'000);
  CHECK(scenario.network.link.latency.ns() == 1'000'000);
  CHECK(scenario.network.link.bytes_per_second == Approx(1.25e8));
  CHECK(scenario.cluster == "clusters/two.yaml");
}

TEST_CASE("the scenario's own keys and --set win over the cluster file, key by key",
          "[sim][scenario][cluster]") {
  TempDir dir("cluster_override");
  std::filesystem::create_directories(dir / "clusters");
  dir.write("clusters/two.yaml", kCluster);
  const auto path = dir.write("s.yaml", scenario_with("network: {latency: 3us}\n"));
  const auto scenario = load_scenario_file(path, {"workers=4"});
  CHECK(scenario.workers == 4);
  CHECK(scenario.network.link.latency.ns() == 3'000);               // the scenario's
  CHECK(scenario.network.link.bytes_per_second == Approx(1.25e8));  // the cluster's
  CHECK(scenario.compute.mean.ns() == 7'000'000);
}

TEST_CASE("an error inside a cluster file names that file and its line",
          "[sim][scenario][cluster]") {
  TempDir dir("cluster_error");
  std::filesystem::create_directories(dir / "clusters");
  dir.write("clusters/two.yaml",
            "workers: 2\ncompute: {kind: constant, mean: 7 parsecs}\nnetwork: {latency: 1ms}\n");
  const std::string message = first_error(dir.write("s.yaml", scenario_with("")));
  CHECK_THAT(message, Contains("clusters/two.yaml:2:") && Contains("compute.mean"));
}

TEST_CASE("a cluster file may not set the algorithm, and a missing one is reported",
          "[sim][scenario][cluster]") {
  TempDir dir("cluster_bad");
  std::filesystem::create_directories(dir / "clusters");
  dir.write("clusters/two.yaml", "workers: 2\nsteps: 5\n");
  CHECK_THAT(first_error(dir.write("s.yaml", scenario_with(""))),
             Contains("two.yaml:2:1: steps") && Contains("may only set"));
  CHECK_THAT(first_error(dir.file("s.yaml"), {"cluster=clusters/none.yaml"}),
             Contains("cluster") && Contains("does not exist") && Contains("none.yaml"));
}
