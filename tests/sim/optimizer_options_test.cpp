// The inner optimizer's and the learning-rate schedule's keys in a scenario: they load into the
// spec, validate's resolved scenario loads back with them, and a run with adam is reproducible.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/runner/memory_guard.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_json.hpp"
#include "tests/support/files.hpp"
#include "tests/support/scenario_errors.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

const std::string kBase = R"(name: optimizers
workers: 4
steps: 60
precision: float64
algorithm:
  kind: local_sgd
  interval: 5
  lr: 0.01
  batch_size: 16
model: {kind: softmax}
data: {kind: synthetic, samples: 400, features: 5, classes: 3}
eval: {every: 20}
output: {trace: false}
)";

std::string with_algorithm(const std::string& extra, const std::string& kind = "local_sgd") {
  std::string text = sgdsim::testing::with_line("  kind: local_sgd", "  kind: " + kind, kBase);
  return sgdsim::testing::with_line("  lr: 0.01", "  lr: 0.01\n" + extra, text);
}

sgdsim::AlgorithmSpec load(const std::string& text) {
  return sgdsim::load_scenario_text(text, "test.yaml").algorithm;
}

}  // namespace

TEST_CASE("optimizer, clipping and schedule keys load into the algorithm spec",
          "[sim][scenario][optimizer]") {
  const auto sgd = load(kBase);
  CHECK(sgd.optimizer == sgdsim::InnerOptimizerKind::sgd);
  CHECK(sgd.weight_decay == 0.0);
  CHECK(sgd.clip_norm == 0.0);
  CHECK(sgd.lr_schedule.warmup_steps == 0);

  const auto adamw = load(with_algorithm(
      "  optimizer: adamw\n  beta1: 0.8\n  beta2: 0.99\n  epsilon: 1e-6\n  weight_decay: 0.1\n"
      "  clip_norm: 1.5\n  momentum_sync: local\n"
      "  lr_schedule: {kind: cosine, min_lr: 0.001, warmup_steps: 10}"));
  CHECK(adamw.optimizer == sgdsim::InnerOptimizerKind::adamw);
  CHECK(adamw.beta1 == 0.8);
  CHECK(adamw.beta2 == 0.99);
  CHECK(adamw.epsilon == 1e-6);
  CHECK(adamw.weight_decay == 0.1);
  CHECK(adamw.clip_norm == 1.5);
  CHECK(adamw.momentum_sync == sgdsim::MomentumSync::local);
  CHECK(adamw.lr_schedule.kind == "cosine");
  CHECK(adamw.lr_schedule.min_lr == 0.001);
  CHECK(adamw.lr_schedule.warmup_steps == 10);
  CHECK(adamw.lr_schedule.total_steps == 60);  // T for the cosine: the run's steps
  CHECK(adamw.lr_at(60) == Approx(0.001));

  const auto adam = load(with_algorithm("  optimizer: adam"));
  CHECK(adam.beta1 == 0.9);  // PyTorch's defaults
  CHECK(adam.beta2 == 0.999);
  CHECK(adam.epsilon == 1e-8);
  CHECK(adam.momentum_sync == sgdsim::MomentumSync::average);

  // lr: theory still resolves, and the warm-up climbs to it.
  const auto theory = load(sgdsim::testing::with_line(
      "  lr: 0.01", "  lr: theory\n  lr_schedule: {kind: constant, warmup_steps: 4}", kBase));
  CHECK(theory.lr_theory);
  CHECK(theory.lr_at(4) == theory.lr);
  CHECK(theory.lr_at(1) == Approx(theory.lr / 4));
}

TEST_CASE("validate's resolved scenario loads back with every optimizer",
          "[sim][scenario][optimizer]") {
  const std::vector<std::string> texts = {
      with_algorithm("  optimizer: adam\n  weight_decay: 0.01\n  momentum_sync: reset"),
      with_algorithm("  optimizer: adamw\n  weight_decay: 0.1\n  clip_norm: 1\n"
                     "  outer_lr: 0.7\n  outer_momentum: 0.9\n"
                     "  lr_schedule: {kind: cosine, min_lr: 0.0001, warmup_steps: 5}",
                     "diloco"),
      with_algorithm("  momentum: 0.9\n  nesterov: true\n  weight_decay: 0.001\n  clip_norm: 2\n"
                     "  lr_schedule: {kind: step, every: 10, factor: 0.5, warmup_steps: 3}"),
      with_algorithm("  optimizer: sgd\n  weight_decay: 0.01\n  clip_norm: 1", "easgd"),
      sgdsim::testing::with_line(
          "  interval: 5", "", with_algorithm("  clip_norm: 1\n  weight_decay: 0.01", "async_sgd")),
  };
  for (const std::string& text : texts) {
    INFO(text);
    const auto scenario = sgdsim::load_scenario_text(text, "test.yaml");
    const std::string resolved = sgdsim::scenario_to_json(scenario).dump(2);
    INFO(resolved);
    const auto again = sgdsim::load_scenario_text(resolved, "resolved.yaml");
    CHECK(sgdsim::scenario_to_json(again).dump(2) == resolved);
  }
  const auto adam = sgdsim::scenario_to_json(
      sgdsim::load_scenario_text(with_algorithm("  optimizer: adam"), "test.yaml"));
  CHECK(adam["algorithm"]["optimizer"] == "adam");
  CHECK(adam["algorithm"]["beta2"] == 0.999);
  CHECK_FALSE(adam["algorithm"].contains("momentum"));
  CHECK_FALSE(sgdsim::scenario_to_json(sgdsim::load_scenario_text(kBase, "test.yaml"))["algorithm"]
                  .contains("beta1"));
}

TEST_CASE("an adam run is the same, byte for byte, for the same seed",
          "[sim][scenario][optimizer]") {
  const auto scenario = sgdsim::load_scenario_text(
      with_algorithm("  optimizer: adamw\n  weight_decay: 0.01\n  clip_norm: 1\n"
                     "  lr_schedule: {kind: cosine, warmup_steps: 5}"),
      "test.yaml");
  const sgdsim::testing::TempDir dir("adam_determinism");
  std::vector<std::string> models, metrics;
  for (const char* run : {"a", "b"}) {
    sgdsim::RunOptions options;
    options.out_dir = (dir.path() / run).string();
    options.quiet = true;
    sgdsim::run_scenario(scenario, options);
    models.push_back(sgdsim::testing::read_file(dir.path() / run / "model.csv"));
    metrics.push_back(sgdsim::testing::read_file(dir.path() / run / "metrics.csv"));
  }
  CHECK(models[0] == models[1]);
  CHECK(metrics[0] == metrics[1]);
  CHECK(models[0].size() > 10);  // not vacuous
}

TEST_CASE("the memory guard counts adam's two moments per worker", "[sim][scenario][optimizer]") {
  const auto copies = sgdsim::per_worker_model_copies(
      sgdsim::load_scenario_text(with_algorithm("  optimizer: adam"), "test.yaml"));
  CHECK(copies == std::vector<std::string>{"parameters", "first moment", "second moment"});
}

TEST_CASE("the shipped DiLoCo recipe is the published one", "[sim][scenario][optimizer]") {
  // Douillard et al. 2023: AdamW inner steps, H = 500, outer Nesterov with lr 0.7, momentum 0.9.
  const auto path =
      std::filesystem::path(SGDSIM_SOURCE_DIR) / "scenarios" / "algorithms" / "diloco_recipe.yaml";
  const sgdsim::AlgorithmSpec a = sgdsim::load_scenario_file(path.string()).algorithm;
  CHECK(a.kind == sgdsim::AlgorithmKind::diloco);
  CHECK(a.optimizer == sgdsim::InnerOptimizerKind::adamw);
  CHECK(a.weight_decay > 0.0);
  CHECK(a.interval == 500);
  CHECK(a.outer_lr == 0.7);
  CHECK(a.outer_momentum == 0.9);
  CHECK(a.momentum_sync == sgdsim::MomentumSync::local);
  CHECK(a.lr_schedule.kind == "cosine");
  CHECK(a.lr_schedule.warmup_steps > 0);
}
