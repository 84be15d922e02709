// One mini-batch gradient of each model, float32 and float64; the data is set up outside the loop.
#include <benchmark/benchmark.h>

#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"

namespace {

template <class Scalar>
void BM_Gradient(benchmark::State& state, sgdsim::ModelSpec spec, sgdsim::Task task) {
  sgdsim::SyntheticSpec data_spec;
  data_spec.task = task;
  data_spec.samples = 32;
  data_spec.test_samples = 0;
  data_spec.features = 784;
  const auto data = sgdsim::make_synthetic<Scalar>(data_spec, 7);
  const auto objective =
      sgdsim::make_objective<Scalar>(spec, data.train.num_features(), data.train.num_classes);
  sgdsim::Rng rng(3);
  const auto params = objective->initial_params(true, rng);
  typename sgdsim::Objective<Scalar>::Vector grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        objective->loss_and_gradient(params, data.train.features, data.train.targets, grad));
  }
  state.SetItemsProcessed(state.iterations() * data.train.num_samples());
}

sgdsim::ModelSpec spec(const char* kind, std::vector<int> hidden = {}) {
  sgdsim::ModelSpec s;
  s.kind = kind;
  s.hidden = std::move(hidden);
  return s;
}

void BM_GradientF32(benchmark::State& state, sgdsim::ModelSpec s, sgdsim::Task task) {
  BM_Gradient<float>(state, std::move(s), task);
}
void BM_GradientF64(benchmark::State& state, sgdsim::ModelSpec s, sgdsim::Task task) {
  BM_Gradient<double>(state, std::move(s), task);
}

BENCHMARK_CAPTURE(BM_GradientF32, logistic, spec("logistic"), sgdsim::Task::binary);
BENCHMARK_CAPTURE(BM_GradientF64, logistic, spec("logistic"), sgdsim::Task::binary);
BENCHMARK_CAPTURE(BM_GradientF32, softmax, spec("softmax"), sgdsim::Task::multiclass);
BENCHMARK_CAPTURE(BM_GradientF64, softmax, spec("softmax"), sgdsim::Task::multiclass);
BENCHMARK_CAPTURE(BM_GradientF32, mlp128, spec("mlp", {128}), sgdsim::Task::multiclass);
BENCHMARK_CAPTURE(BM_GradientF64, mlp128, spec("mlp", {128}), sgdsim::Task::multiclass);

}  // namespace
