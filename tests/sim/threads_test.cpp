// --threads: the workers' local steps run on a task pool, and every output is byte-identical to a
// one-thread run (but wall time), for each algorithm that runs in rounds, with snapshots between
// rounds, sampled rounds, adaptive schedules and a divergence.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/run/task_pool.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;

const std::string kBase = R"(name: threads
seed: 5
workers: 6
steps: 60
algorithm: {kind: local_sgd, interval: 4, lr: 0.1, batch_size: 8}
model: {kind: mlp, hidden: [6], activation: tanh}
data: {kind: synthetic, samples: 600, test_samples: 60, features: 5, classes: 3}
compute: {kind: lognormal, mean: 10ms, sigma: 0.4}
eval: {every: 7}
)";

std::string outputs_of(const sgdsim::Scenario& scenario, const std::filesystem::path& dir,
                       int threads) {
  sgdsim::RunOptions options;
  options.out_dir = dir.string();
  options.quiet = true;
  options.threads = threads;
  (void)sgdsim::run_scenario(scenario, options);
  auto summary = nlohmann::json::parse(read_file(dir / "summary.json"));
  summary.erase("wall_time_s");
  return read_file(dir / "metrics.csv") + read_file(dir / "model.csv") +
         read_file(dir / "trace.json") + summary.dump(1);
}

}  // namespace

TEST_CASE("runs with several threads are byte-identical to one thread", "[sim][threads]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"local_sgd", {}},
      {"momentum", {"algorithm.momentum=0.9", "algorithm.nesterov=true"}},
      {"adaptive", {"algorithm.interval={kind: adaptive, initial: 8, minimum: 2}"}},
      {"fedavg", {"algorithm.kind=fedavg", "algorithm.clients_per_round=3"}},
      {"slowmo", {"algorithm.kind=slowmo", "algorithm.outer_momentum=0.5"}},
      {"easgd", {"algorithm.kind=easgd", "algorithm.elasticity=0.1"}},
      {"gossip", {"algorithm.kind=gossip", "algorithm.interval=1"}},
      {"hierarchical",
       {"algorithm.kind=hierarchical_local_sgd", "algorithm.interval=2", "algorithm.group_size=3",
        "algorithm.global_interval=8"}},
      {"diverges", {"algorithm.lr=1e6", "model.activation=relu"}},
      {"step averages", {"eval.step_averages=true", "algorithm.weighting=samples"}},
  };
  const TempDir dir("threads");
  for (const auto& [name, overrides] : cases) {
    INFO(name);
    const auto scenario = sgdsim::load_scenario_text(kBase, "threads.yaml", overrides);
    const std::string one = outputs_of(scenario, dir / (name + "_1"), 1);
    CHECK(outputs_of(scenario, dir / (name + "_3"), 3) == one);
    CHECK(outputs_of(scenario, dir / (name + "_2"), 2) == one);
  }
  const auto diverged = nlohmann::json::parse(read_file(dir / "diverges_2" / "summary.json"));
  CHECK(diverged["status"] == "diverged");
}

TEST_CASE("the task pool runs every task once and returns its result", "[sim][threads]") {
  sgdsim::TaskPool pool(3);
  std::vector<int> runs(200, 0);
  std::vector<sgdsim::TaskPool::Ticket> tickets;
  for (int i = 0; i < 200; ++i) {
    tickets.push_back(pool.submit([&runs, i] {
      ++runs[i];
      return i % 3 == 0;
    }));
  }
  for (int i = 199; i >= 0; --i) CHECK(pool.wait(tickets[i]) == (i % 3 == 0));
  for (int count : runs) CHECK(count == 1);
}
