// The `compute` section of a scenario: every kind and heterogeneity option loads into the typed
// spec, bad values are ConfigErrors naming the key, and the resolved JSON loads back unchanged.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using Catch::Matchers::Contains;
using sgdsim::ConfigError;
using sgdsim::Scenario;
using sgdsim::SimTime;

const std::string kDataDir = std::string(SGDSIM_SOURCE_DIR) + "/tests/data";

std::string scenario_with(const std::string& compute) {
  return "name: compute\n"
         "workers: 4\n"
         "steps: 10\n"
         "algorithm: {kind: local_sgd, interval: 2, lr: 0.1, batch_size: 4}\n"
         "model: {kind: softmax}\n"
         "data: {kind: synthetic, samples: 100, test_samples: 0, features: 3, classes: 2}\n"
         "compute:\n" +
         compute;
}

Scenario load(const std::string& compute) {
  return sgdsim::load_scenario_text(scenario_with(compute), "test.yaml");
}

// Every message of the ConfigError the compute block raises, one per line; empty if none.
std::string errors_of(const std::string& compute) {
  try {
    load(compute);
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& message : e.messages()) all += message + "\n";
    return all;
  }
  return "";
}

SimTime ms(std::int64_t milliseconds) {
  return SimTime::from_ns(milliseconds * 1'000'000);
}

}  // namespace

TEST_CASE("every compute kind loads from YAML with its parameters", "[sim][compute][scenario]") {
  SECTION("normal") {
    const Scenario s = load("  {kind: normal, mean: 30ms, std: 5ms}\n");
    CHECK(s.compute.kind == "normal");
    CHECK(s.compute.mean == ms(30));
    CHECK(s.compute.std == ms(5));
  }
  SECTION("exponential") {
    const Scenario s = load("  {kind: exponential, mean: 20ms}\n");
    CHECK(s.compute.kind == "exponential");
    CHECK(s.compute.mean == ms(20));
  }
  SECTION("shifted_exponential") {
    const Scenario s = load("  {kind: shifted_exponential, minimum: 20ms, mean: 30ms}\n");
    CHECK(s.compute.minimum == ms(20));
    CHECK(s.compute.mean == ms(30));
  }
  SECTION("gamma") {
    const Scenario s = load("  {kind: gamma, mean: 30ms, shape: 2.5}\n");
    CHECK(s.compute.shape == 2.5);
  }
  SECTION("empirical") {
    const Scenario s =
        load("  {kind: empirical, path: " + kDataDir + "/step_times.csv, mode: replay}\n");
    CHECK(s.compute.path == kDataDir + "/step_times.csv");
    CHECK(s.compute.mode == sgdsim::EmpiricalMode::replay);
    CHECK(load("  {kind: empirical, path: " + kDataDir + "/step_times.csv}\n").compute.mode ==
          sgdsim::EmpiricalMode::resample);
  }
  SECTION("flops") {
    const Scenario s = load(
        "  {kind: flops, flops_per_second: 19.5e12, efficiency: 0.4,"
        " jitter: {kind: lognormal, sigma: 0.05}}\n");
    CHECK(s.compute.flops_per_second == 19.5e12);
    CHECK(s.compute.efficiency == 0.4);
    CHECK(s.compute.jitter_sigma == 0.05);
  }
}

TEST_CASE("heterogeneity options load from YAML", "[sim][compute][scenario]") {
  const Scenario s = load(
      "  kind: constant\n"
      "  mean: 30ms\n"
      "  speed_factors: {kind: uniform, min: 0.5, max: 1.5}\n"
      "  stragglers: {probability: 0.02, slowdown: 5}\n"
      "  slowdowns:\n"
      "    - {worker: 3, from: 10s, until: 20s, factor: 3}\n"
      "    - {worker: 0, from: 0, until: 1s, factor: 1.5}\n");
  REQUIRE(s.compute.speed_distribution);
  CHECK(s.compute.speed_distribution->kind == "uniform");
  CHECK(s.compute.speed_distribution->min == 0.5);
  CHECK(s.compute.speed_distribution->max == 1.5);
  CHECK(s.compute.stragglers.probability == 0.02);
  CHECK(s.compute.stragglers.slowdown == 5.0);
  REQUIRE(s.compute.slowdowns.size() == 2);
  CHECK(s.compute.slowdowns[0].worker == 3);
  CHECK(s.compute.slowdowns[0].from == ms(10'000));
  CHECK(s.compute.slowdowns[0].until == ms(20'000));
  CHECK(s.compute.slowdowns[0].factor == 3.0);
  CHECK(s.compute.slowdowns[1].from == SimTime::zero());
  const Scenario lognormal =
      load("  {kind: constant, mean: 30ms, speed_factors: {kind: lognormal, sigma: 0.2}}\n");
  CHECK(lognormal.compute.speed_distribution->sigma == 0.2);
}

TEST_CASE("bad compute values are ConfigErrors naming the key", "[sim][compute][scenario]") {
  const std::string csv = kDataDir + "/step_times.csv";
  struct Case {
    std::string compute;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"  {kind: normal, mean: 30ms, std: -5ms}\n", "compute.std"},
      {"  {kind: normal, mean: 30ms}\n", "compute.std"},
      {"  {kind: lognormal, mean: 30ms}\n", "compute.sigma"},
      {"  {kind: shifted_exponential, minimum: 30ms, mean: 30ms}\n", "compute.minimum"},
      {"  {kind: shifted_exponential, minimum: 40ms, mean: 30ms}\n", "compute.minimum"},
      {"  {kind: shifted_exponential, mean: 30ms}\n", "compute.minimum"},
      {"  {kind: gamma, mean: 30ms, shape: 0}\n", "compute.shape"},
      {"  {kind: exponential, mean: 0}\n", "compute.mean"},
      {"  {kind: empirical}\n", "compute.path"},
      {"  {kind: empirical, path: /nonexistent/times.csv}\n", "compute.path"},
      {"  {kind: empirical, path: " + csv + ", mode: shuffle}\n", "compute.mode"},
      {"  {kind: flops, flops_per_second: 1e12, efficiency: 0}\n", "compute.efficiency"},
      {"  {kind: flops, flops_per_second: 1e12, efficiency: 1.2}\n", "compute.efficiency"},
      {"  {kind: flops, efficiency: 0.5}\n", "compute.flops_per_second"},
      {"  {kind: flops, flops_per_second: 1e12, efficiency: 0.5, jitter: {sigma: 0.1}}\n",
       "compute.jitter.kind"},
      {"  {kind: exponential, mean: 30ms, sigma: 0.2}\n", "compute.sigma"},
      {"  {kind: flops, flops_per_second: 1e12, efficiency: 0.5, mean: 30ms}\n", "compute.mean"},
      {"  {kind: constant, mean: 1ms, stragglers: {probability: 1.5, slowdown: 2}}\n",
       "compute.stragglers.probability"},
      {"  {kind: constant, mean: 1ms, stragglers: {probability: 0.1, slowdown: 0.5}}\n",
       "compute.stragglers.slowdown"},
      {"  {kind: constant, mean: 1ms, stragglers: {probability: 0.1}}\n",
       "compute.stragglers.slowdown"},
      {"  {kind: constant, mean: 1ms, slowdowns: [{worker: 4, from: 0, until: 1s, factor: 2}]}\n",
       "compute.slowdowns[0].worker"},
      {"  {kind: constant, mean: 1ms, slowdowns: [{worker: 1, from: 2s, until: 1s, factor: 2}]}\n",
       "compute.slowdowns[0].until"},
      {"  {kind: constant, mean: 1ms, slowdowns: [{worker: 1, from: 0, until: 1s}]}\n",
       "compute.slowdowns[0].factor"},
      {"  {kind: constant, mean: 1ms, slowdowns: [{worker: 1, from: 0, until: 1s, factor: 2,"
       " speed: 3}]}\n",
       "compute.slowdowns[0].speed"},
      {"  {kind: constant, mean: 1ms, slowdowns: [3]}\n", "compute.slowdowns[0]"},
      {"  {kind: constant, mean: 1ms, slowdowns: {worker: 1}}\n", "compute.slowdowns"},
      {"  {kind: constant, mean: 1ms, speed_factors: {kind: uniform, min: 2, max: 1}}\n",
       "compute.speed_factors.max"},
      {"  {kind: constant, mean: 1ms, speed_factors: {kind: uniform, min: 0, max: 1}}\n",
       "compute.speed_factors.min"},
      {"  {kind: constant, mean: 1ms, speed_factors: {kind: zipf}}\n",
       "compute.speed_factors.kind"},
      {"  {kind: constant, mean: 1ms, speed_factors: [1, 2]}\n", "compute.speed_factors"},
  };
  for (const Case& c : cases) {
    INFO(c.compute);
    const std::string errors = errors_of(c.compute);
    CHECK_THAT(errors, Contains("test.yaml:") && Contains(c.key + ":"));
  }
}

TEST_CASE("an empirical path is relative to the scenario file", "[sim][compute][scenario]") {
  sgdsim::testing::TempDir dir("compute_path");
  dir.write("times.csv", "step_time_s\n0.01\n");
  const std::string scenario_path =
      dir.write("s.yaml", scenario_with("  {kind: empirical, path: times.csv}\n"));
  const Scenario s = sgdsim::load_scenario_file(scenario_path);
  CHECK(s.compute.path == dir.file("times.csv"));
}

TEST_CASE("the resolved compute section loads back to the same scenario",
          "[sim][compute][scenario]") {
  const std::vector<std::string> computes = {
      "  {kind: normal, mean: 30ms, std: 5ms}\n",
      "  {kind: lognormal, mean: 1.5ms, sigma: 0.3, speed_factors: [1, 0.5, 2, 0.25]}\n",
      "  {kind: exponential, mean: 20ms, stragglers: {probability: 0.01, slowdown: 8}}\n",
      "  {kind: shifted_exponential, minimum: 20ms, mean: 30ms,"
      " speed_factors: {kind: lognormal, sigma: 0.1}}\n",
      "  {kind: gamma, mean: 30ms, shape: 0.7, speed_factors: {kind: uniform, min: 0.5, max: 1}}\n",
      "  {kind: empirical, path: " + kDataDir + "/step_times.csv, mode: replay}\n",
      "  {kind: flops, flops_per_second: 19.5e12, efficiency: 0.4,"
      " jitter: {kind: lognormal, sigma: 0.05}}\n",
      "  {kind: constant, mean: 1ms, slowdowns: [{worker: 3, from: 10s, until: 20.5s, factor: 3},"
      " {worker: 0, from: 0, until: 1us, factor: 0.5}]}\n",
  };
  for (const std::string& compute : computes) {
    INFO(compute);
    const Scenario scenario = load(compute);
    const std::string resolved = sgdsim::scenario_to_json(scenario).dump(2);
    INFO(resolved);
    const Scenario again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
    CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
    CHECK(again.compute.kind == scenario.compute.kind);
    CHECK(again.compute.slowdowns.size() == scenario.compute.slowdowns.size());
    CHECK(again.compute.speed_distribution.has_value() ==
          scenario.compute.speed_distribution.has_value());
  }
}
