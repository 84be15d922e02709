// data.partition in scenarios: the label-based partitions' keys, their errors, the resolved
// scenario and the per-worker label histograms in summary.json.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

std::string scenario_with(const std::string& data, const std::string& model = "softmax") {
  return "name: part\nseed: 3\nworkers: 4\nsteps: 8\nprecision: float64\n"
         "algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 4}\n"
         "model: {kind: " +
         model +
         "}\n"
         "data: {kind: synthetic, samples: 400, test_samples: 50, features: 5, classes: 4, " +
         data + "}\n";
}

sgdsim::Scenario load(const std::string& text) {
  return sgdsim::load_scenario_text(text, "part.yaml");
}

}  // namespace

TEST_CASE("data.partition reads dirichlet with alpha and shards with labels_per_worker",
          "[sim][partition]") {
  const auto d = load(scenario_with("partition: dirichlet, alpha: 0.25")).data;
  CHECK(d.partition == sgdsim::PartitionKind::dirichlet);
  CHECK(d.alpha == 0.25);
  const auto s = load(scenario_with("partition: shards, labels_per_worker: 3")).data;
  CHECK(s.partition == sgdsim::PartitionKind::shards);
  CHECK(s.labels_per_worker == 3);
}

TEST_CASE("partition parameters out of place or out of range are errors naming the key",
          "[sim][partition]") {
  CHECK_THROWS_WITH(load(scenario_with("partition: iid, alpha: 0.5")),
                    Catch::Contains("data.alpha") && Catch::Contains("dirichlet"));
  CHECK_THROWS_WITH(load(scenario_with("alpha: 0.5")), Catch::Contains("data.alpha"));
  CHECK_THROWS_WITH(load(scenario_with("partition: dirichlet, labels_per_worker: 2")),
                    Catch::Contains("data.labels_per_worker") && Catch::Contains("shards"));
  CHECK_THROWS_WITH(load(scenario_with("partition: dirichlet, alpha: 0")),
                    Catch::Contains("data.alpha"));
  CHECK_THROWS_WITH(load(scenario_with("partition: shards, labels_per_worker: 0")),
                    Catch::Contains("data.labels_per_worker"));
  CHECK_THROWS_WITH(load(scenario_with("partition: dirichlet", "least_squares")),
                    Catch::Contains("data.partition") && Catch::Contains("regression"));
}

TEST_CASE("the resolved scenario keeps the partition and loads back", "[sim][partition]") {
  for (const char* data : {"partition: dirichlet, alpha: 0.25",
                           "partition: shards, labels_per_worker: 3", "partition: contiguous"}) {
    INFO(data);
    const sgdsim::Scenario first = load(scenario_with(data));
    const sgdsim::Scenario again =
        sgdsim::load_scenario_text(sgdsim::scenario_to_json(first).dump(), "again.yaml");
    CHECK(again.data.partition == first.data.partition);
    CHECK(again.data.alpha == first.data.alpha);
    CHECK(again.data.labels_per_worker == first.data.labels_per_worker);
  }
}

TEST_CASE("summary.json gives each worker's label histogram, summing to its shard",
          "[sim][partition][run_scenario]") {
  sgdsim::testing::TempDir dir("partition_scenario_test");
  for (const char* data : {"partition: dirichlet, alpha: 1.0", "partition: iid"}) {
    INFO(data);
    const sgdsim::Scenario s = load(scenario_with(data));
    sgdsim::RunOptions options;
    options.out_dir = (dir / "out").string();
    options.quiet = true;
    sgdsim::run_scenario(s, options);
    const auto summary =
        nlohmann::json::parse(sgdsim::testing::read_file(dir / "out" / "summary.json"));
    std::int64_t total = 0;
    std::int64_t smallest = summary["train_samples"];
    for (const auto& worker : summary["per_worker"]) {
      const auto& histogram = worker.at("label_histogram");
      REQUIRE(histogram.size() == 4);
      std::int64_t shard = 0;
      for (std::int64_t count : histogram) shard += count;
      total += shard;
      smallest = std::min(smallest, shard);
    }
    CHECK(smallest == summary["samples_per_worker"].get<std::int64_t>());
    if (s.data.partition == sgdsim::PartitionKind::dirichlet) {
      CHECK(total == 400);  // every sample assigned exactly once
    } else {
      CHECK(total == 4 * (400 / 4));
    }
  }
}
