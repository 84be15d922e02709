// data: {kind: cifar10} and data.augment from the scenario file to a finished run: the step
// augments each mini-batch with the worker's own stream, never the data measured, and a run with
// augmentation is as reproducible as one without.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/data/augment.hpp"
#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "sim/algorithms/inner_optimizer.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/cifar10_files.hpp"
#include "tests/support/files.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using nlohmann::json;
using sgdsim::testing::read_file;
using sgdsim::testing::TempDir;
using sgdsim::testing::write_cifar10_dir;
using sgdsim::testing::write_file;

// Two workers on 5 × 8 training images (shards of 20), a mini-batch of 4.
std::string scenario(const std::string& data_extra, const std::string& algorithm = "local_sgd") {
  return "name: cifar\nseed: 5\nworkers: 2\nsteps: 12\nprecision: float64\n"
         "algorithm: {kind: " +
         algorithm + (algorithm == "async_sgd" ? "" : ", interval: 3") +
         ", lr: 0.05, batch_size: 4}\n"
         "model: {kind: softmax}\n"
         "data: {kind: cifar10, path: cifar" +
         data_extra +
         "}\n"
         "compute: {kind: constant, mean: 10ms}\n"
         "network: {latency: 50us, bandwidth: 10Gbps}\neval: {every: 4}\n"
         "output: {trace: false}\n";
}

struct Outputs {
  std::string model;
  std::vector<std::string> metrics;
  json summary;
};

Outputs run(const TempDir& dir, const std::string& name, const std::string& text, int threads = 1) {
  const std::string path = dir.write(name + ".yaml", text);
  sgdsim::RunOptions options;
  options.out_dir = (dir / name).string();
  options.quiet = true;
  options.threads = threads;
  const auto outcome = sgdsim::run_scenario(sgdsim::load_scenario_file(path), options);
  REQUIRE(outcome.result.status == sgdsim::RunStatus::ok);
  return {read_file(dir / name / "model.csv"),
          sgdsim::testing::lines_of(read_file(dir / name / "metrics.csv")),
          json::parse(read_file(dir / name / "summary.json"))};
}

const char* kAugment = ", augment: {crop_padding: 4, flip: true}";

}  // namespace

TEST_CASE("a cifar10 run with augmentation is bit-identical for one seed and differs without it",
          "[sim][cifar10][augment]") {
  TempDir dir("cifar10_run");
  write_cifar10_dir(dir / "cifar", 8);
  const Outputs plain = run(dir, "plain", scenario(""));
  const Outputs a = run(dir, "a", scenario(kAugment));
  const Outputs b = run(dir, "b", scenario(kAugment));
  const Outputs threaded = run(dir, "threaded", scenario(kAugment), 2);
  CHECK(a.model == b.model);
  CHECK(a.metrics == b.metrics);
  CHECK(threaded.model == a.model);
  CHECK(a.model != plain.model);  // the guard: augmentation changed the steps
  // Step 0 measures the initial model on the data as read: augmentation never touches it.
  REQUIRE(a.metrics.size() > 1);
  CHECK(a.metrics[1] == plain.metrics[1]);
  CHECK(a.summary["scenario"]["data"]["augment"] == json{{"crop_padding", 4}, {"flip", true}});
  CHECK_FALSE(plain.summary["scenario"]["data"].contains("augment"));
  CHECK(a.summary["scenario"]["data"]["kind"] == "cifar10");
  CHECK(a.summary["scenario"]["data"]["path"] == (dir / "cifar").string());
}

TEST_CASE("async_sgd augments its workers' mini-batches too, reproducibly",
          "[sim][cifar10][augment]") {
  TempDir dir("cifar10_async");
  write_cifar10_dir(dir / "cifar", 8);
  const Outputs plain = run(dir, "plain", scenario("", "async_sgd"));
  const Outputs a = run(dir, "a", scenario(kAugment, "async_sgd"));
  const Outputs b = run(dir, "b", scenario(kAugment, "async_sgd"));
  CHECK(a.model == b.model);
  CHECK(a.model != plain.model);
}

TEST_CASE("a cifar10 run records its six batch files as inputs, and limits cut the data",
          "[sim][cifar10]") {
  TempDir dir("cifar10_inputs");
  write_cifar10_dir(dir / "cifar", 8);
  write_file(dir / "cifar" / "readme.html", "not read");
  const Outputs out = run(dir, "limited", scenario(", limit: 24, test_limit: 5"));
  const json& inputs = out.summary["inputs"];
  REQUIRE(inputs.size() == 6);
  CHECK(inputs[0]["path"] == (dir / "cifar" / "data_batch_1.bin").string());
  CHECK(inputs[5]["path"] == (dir / "cifar" / "test_batch.bin").string());
  CHECK(inputs[0]["bytes"] == 8 * 3073);
  CHECK(out.summary["scenario"]["data"]["limit"] == 24);
  CHECK(out.summary["scenario"]["data"]["test_limit"] == 5);
}

TEST_CASE("the local step augments its gathered mini-batch with derive_seed(seed, augment, w)",
          "[sim][augment]") {
  // Eight 1×4×4 images (pixel p of image i: (i + p) % 7 / 7) of four classes, one worker.
  sgdsim::TrainTestData<double> data;
  const sgdsim::ImageShape shape{1, 4, 4};
  data.train.features.resize(shape.size(), 8);
  data.train.targets.resize(8);
  for (Eigen::Index i = 0; i < 8; ++i) {
    data.train.targets[i] = static_cast<double>(i % 4);
    for (Eigen::Index p = 0; p < shape.size(); ++p) {
      data.train.features(p, i) = static_cast<double>((i + p) % 7) / 7.0;
    }
  }
  data.train.num_classes = 4;
  data.train.image = shape;
  const auto stored = data.train.features;
  sgdsim::ModelSpec model;
  model.kind = "softmax";
  const auto objective = sgdsim::make_objective<double>(model, shape.size(), 4);
  sgdsim::TrainingProblem<double> problem;
  problem.objective = objective.get();
  problem.data = &data;
  problem.shards = sgdsim::Partition({{0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}});
  problem.initial_params = Eigen::VectorXd::Zero(objective->num_params());
  problem.steps = 3;
  problem.seed = 9;
  problem.augment = sgdsim::AugmentSpec{1, true};
  sgdsim::AlgorithmSpec spec;
  spec.lr = 0.5;
  spec.batch_size = 3;
  const sgdsim::InnerOptimizer<double> inner(spec, false);

  for (int w : {0, 1}) {
    INFO("worker " << w);
    std::vector<std::int64_t> order(problem.shards[w].begin(), problem.shards[w].end());
    auto state = inner.initial_state(problem, w, order);
    // The reference: the worker's batches, augmented by hand from the stream it should own.
    sgdsim::testing::OwnedSampler sampler(problem.shards[w], 3,
                                          sgdsim::derive_seed(9, "batches", w));
    sgdsim::Rng rng(sgdsim::derive_seed(9, "augment", w));
    Eigen::VectorXd x = problem.initial_params, g;
    for (int step = 1; step <= 3; ++step) {
      const auto indices = sampler.next();
      Eigen::MatrixXd batch(shape.size(), 3);
      Eigen::VectorXd targets(3);
      for (int k = 0; k < 3; ++k) {
        batch.col(k) = data.train.features.col(indices[k]);
        targets[k] = data.train.targets[indices[k]];
      }
      sgdsim::augment_images(batch, shape, problem.augment, rng);
      objective->loss_and_gradient(x, batch, targets, g);
      x -= 0.5 * g;
      REQUIRE(inner.step(problem, state, step).finite);
    }
    CHECK(state.model == x);
    CHECK(data.train.features == stored);  // the training set itself is never augmented
    // The guard: without augmentation the same steps end elsewhere.
    auto plain_problem = problem;
    plain_problem.augment = {};
    std::vector<std::int64_t> plain_order(problem.shards[w].begin(), problem.shards[w].end());
    auto plain = inner.initial_state(plain_problem, w, plain_order);
    for (int step = 1; step <= 3; ++step) REQUIRE(inner.step(plain_problem, plain, step).finite);
    CHECK(plain.model != x);
  }
}
