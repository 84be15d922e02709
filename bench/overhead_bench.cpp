// The simulator's overhead over its math: PR-SGD (N = 8, I = 8, batch 32) as a bare Eigen loop
// doing the same local steps, averages and start/end evaluations, against the same run through
// SynchronousRun (engine, compute and network models, algorithm interface) and through a full
// run_scenario (scenario, outputs). scripts/bench-ratios prints the ratios.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "models/batched_evaluation.hpp"
#include "models/data/batch_sampler.hpp"
#include "models/data/partition.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "sim/algorithms/in_process_communicator.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/synchronous_run.hpp"
#include "sim/runner/run_scenario.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

constexpr int kWorkers = 8;
constexpr std::int64_t kSteps = 200;
constexpr std::int64_t kInterval = 8;
constexpr std::int64_t kBatch = 32;
constexpr std::int64_t kSamples = 8192;
constexpr double kLr = 0.05;

template <class Scalar>
struct Problem {
  sgdsim::TrainTestData<Scalar> data;
  std::unique_ptr<sgdsim::Objective<Scalar>> objective;
  sgdsim::Partition shards;
  typename sgdsim::Objective<Scalar>::Vector initial;

  explicit Problem(const char* kind) {
    sgdsim::SyntheticSpec spec;
    spec.task = sgdsim::Task::multiclass;
    spec.samples = kSamples;
    spec.test_samples = 0;
    spec.features = 784;
    spec.classes = 10;
    data = sgdsim::make_synthetic<Scalar>(spec, 1);
    sgdsim::ModelSpec model;
    model.kind = kind;
    if (model.kind == "mlp") model.hidden = {128};
    objective = sgdsim::make_objective<Scalar>(model, 784, 10);
    shards = sgdsim::partition(sgdsim::PartitionKind::iid, kSamples, kWorkers, 2);
    sgdsim::Rng rng(3);
    initial = objective->initial_params(true, rng);
  }
};

template <class Scalar>
double full_loss(const Problem<Scalar>& p, const typename sgdsim::Objective<Scalar>::Vector& x) {
  typename sgdsim::Objective<Scalar>::Vector grad;
  return sgdsim::chunked_loss_and_gradient(*p.objective, x, p.data.train, std::nullopt, grad);
}

// Each worker's sampler over its range of `orders`, a copy of every shard, as the algorithms keep
// them.
template <class Scalar>
std::vector<sgdsim::BatchSampler> samplers_of(const Problem<Scalar>& p,
                                              std::vector<std::int64_t>& orders) {
  orders = p.shards.indices();
  std::vector<sgdsim::BatchSampler> samplers;
  for (int w = 0; w < kWorkers; ++w) {
    samplers.emplace_back(std::span(orders).subspan(p.shards.offset(w), p.shards[w].size()), kBatch,
                          sgdsim::derive_seed(9, "batches", w));
  }
  return samplers;
}

// What the simulator computes, with nothing around it: the local steps and averages of one run,
// evaluated at the start and the end.
template <class Scalar>
void bare_run(const Problem<Scalar>& p) {
  using Vector = typename sgdsim::Objective<Scalar>::Vector;
  std::vector<Vector> x(kWorkers, p.initial), g(kWorkers);
  std::vector<std::int64_t> orders, straddle;
  std::vector<sgdsim::BatchSampler> samplers = samplers_of(p, orders);
  typename sgdsim::Dataset<Scalar>::Matrix features;
  typename sgdsim::Dataset<Scalar>::Vector targets;
  benchmark::DoNotOptimize(full_loss(p, p.initial));
  Vector mean;
  for (std::int64_t t = 1; t <= kSteps; ++t) {
    for (int w = 0; w < kWorkers; ++w) {
      const auto batch = samplers[w].next(straddle);
      sgdsim::gather_columns(p.data.train, batch, 0, kBatch, features, targets);
      p.objective->loss_and_gradient(x[w], features, targets, g[w]);
      x[w] -= static_cast<Scalar>(kLr) * g[w];
    }
    if (t % kInterval == 0) {
      mean = x[0];
      for (int w = 1; w < kWorkers; ++w) mean += x[w];
      mean /= static_cast<Scalar>(kWorkers);
      for (int w = 0; w < kWorkers; ++w) x[w] = mean;
    }
  }
  benchmark::DoNotOptimize(full_loss(p, mean));
}

template <class Scalar>
void BM_BareLoop(benchmark::State& state, const char* kind) {
  const Problem<Scalar> p(kind);
  for (auto _ : state) bare_run(p);
  state.SetItemsProcessed(state.iterations() * kWorkers * kSteps);
}

// The bare loop with its data made inside the timed region, as a full `sgdsim run` makes it: the
// baseline of BM_ScenarioRun.
void BM_BareLoopWithData(benchmark::State& state, const char* kind) {
  for (auto _ : state) bare_run(Problem<float>(kind));
  state.SetItemsProcessed(state.iterations() * kWorkers * kSteps);
}

// The bare loop on K threads: between averages each thread runs every K-th worker's steps, the
// evaluations use K threads too. The hardware's ceiling for the simulator's --threads speed-up.
template <class Scalar>
void BM_BareLoopThreads(benchmark::State& state, const char* kind) {
  const Problem<Scalar> p(kind);
  const auto threads = static_cast<int>(state.range(0));
  using Vector = typename sgdsim::Objective<Scalar>::Vector;
  for (auto _ : state) {
    std::vector<Vector> x(kWorkers, p.initial), g(kWorkers);
    std::vector<std::int64_t> orders;
    std::vector<sgdsim::BatchSampler> samplers = samplers_of(p, orders);
    Vector grad;
    benchmark::DoNotOptimize(sgdsim::chunked_loss_and_gradient(
        *p.objective, p.initial, p.data.train, std::nullopt, grad, threads));
    const auto steps_of = [&](int first) {
      typename sgdsim::Dataset<Scalar>::Matrix features;
      typename sgdsim::Dataset<Scalar>::Vector targets;
      std::vector<std::int64_t> straddle;
      for (int w = first; w < kWorkers; w += threads) {
        for (std::int64_t k = 0; k < kInterval; ++k) {
          const auto batch = samplers[w].next(straddle);
          sgdsim::gather_columns(p.data.train, batch, 0, kBatch, features, targets);
          p.objective->loss_and_gradient(x[w], features, targets, g[w]);
          x[w] -= static_cast<Scalar>(kLr) * g[w];
        }
      }
    };
    Vector mean;
    for (std::int64_t round = 0; round < kSteps / kInterval; ++round) {
      {
        std::vector<std::jthread> helpers;
        for (int t = 1; t < threads; ++t) helpers.emplace_back(steps_of, t);
        steps_of(0);
      }
      mean = x[0];
      for (int w = 1; w < kWorkers; ++w) mean += x[w];
      mean /= static_cast<Scalar>(kWorkers);
      for (int w = 0; w < kWorkers; ++w) x[w] = mean;
    }
    benchmark::DoNotOptimize(sgdsim::chunked_loss_and_gradient(*p.objective, mean, p.data.train,
                                                               std::nullopt, grad, threads));
  }
  state.SetItemsProcessed(state.iterations() * kWorkers * kSteps);
}

// The same math driven by SynchronousRun on a simulated cluster.
template <class Scalar>
void BM_SynchronousRun(benchmark::State& state, const char* kind) {
  const Problem<Scalar> p(kind);
  sgdsim::AlgorithmSpec spec;
  spec.interval = kInterval;
  spec.lr = kLr;
  spec.batch_size = kBatch;
  for (auto _ : state) {
    sgdsim::TrainingProblem<Scalar> problem;
    problem.objective = p.objective.get();
    problem.data = &p.data;
    problem.shards = p.shards;
    problem.initial_params = p.initial;
    problem.steps = kSteps;
    problem.seed = 9;
    problem.threads = static_cast<int>(state.range(0));
    sgdsim::InProcessCommunicator<Scalar> communicator;
    sgdsim::LocalSgd<Scalar> algorithm(std::move(problem), spec, &communicator);
    sgdsim::AveragedModelProbe<Scalar> probe(algorithm);
    sgdsim::ComputeSpec compute_spec;
    compute_spec.kind = "lognormal";
    compute_spec.sigma = 0.2;
    sgdsim::ComputeModel compute(compute_spec, kWorkers, 5);
    sgdsim::Network network(sgdsim::NetworkSpec{}, kWorkers);
    sgdsim::ClusterTiming timing{&compute, &network, algorithm.rounds().payload_bytes()};
    sgdsim::RunObserver observer;
    sgdsim::SynchronousRun run(algorithm, probe, timing, 0, observer, nullptr,
                               static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(run.run().sim_time);
  }
  state.SetItemsProcessed(state.iterations() * kWorkers * kSteps);
}

// A whole `sgdsim run`: scenario, data generation, outputs (metrics.csv, summary.json, model.csv).
void BM_ScenarioRun(benchmark::State& state, const char* kind) {
  const std::string text = std::string(R"(name: overhead
seed: 1
workers: 8
steps: 200
algorithm: {kind: local_sgd, interval: 8, lr: 0.05, batch_size: 32}
model: {kind: )") + kind + (std::string(kind) == "mlp" ? ", hidden: [128]" : "") +
                           R"(}
data: {kind: synthetic, samples: 8192, test_samples: 0, features: 784, classes: 10}
compute: {kind: lognormal, mean: 30ms, sigma: 0.2}
eval: {every: 0}
output: {trace: false}
)";
  const sgdsim::Scenario scenario = sgdsim::load_scenario_text(text, "overhead.yaml");
  const auto out = std::filesystem::temp_directory_path() / "sgdsim_overhead_bench";
  for (auto _ : state) {
    sgdsim::RunOptions options;
    options.out_dir = out.string();
    options.quiet = true;
    benchmark::DoNotOptimize(sgdsim::run_scenario(scenario, options).result.sim_time);
  }
  std::filesystem::remove_all(out);
  state.SetItemsProcessed(state.iterations() * kWorkers * kSteps);
}

void BM_BareLoopF32(benchmark::State& state, const char* kind) {
  BM_BareLoop<float>(state, kind);
}
void BM_SynchronousRunF32(benchmark::State& state, const char* kind) {
  BM_SynchronousRun<float>(state, kind);
}
void BM_BareLoopThreadsF32(benchmark::State& state, const char* kind) {
  BM_BareLoopThreads<float>(state, kind);
}
void BM_BareLoopF64(benchmark::State& state, const char* kind) {
  BM_BareLoop<double>(state, kind);
}
void BM_SynchronousRunF64(benchmark::State& state, const char* kind) {
  BM_SynchronousRun<double>(state, kind);
}

BENCHMARK_CAPTURE(BM_BareLoopF32, mlp, "mlp")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopThreadsF32, mlp, "mlp")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SynchronousRunF32, mlp, "mlp")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScenarioRun, mlp, "mlp")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopWithData, mlp, "mlp")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopF32, softmax, "softmax")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SynchronousRunF32, softmax, "softmax")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScenarioRun, softmax, "softmax")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopWithData, softmax, "softmax")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopF64, mlp, "mlp")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SynchronousRunF64, mlp, "mlp")->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BareLoopF64, softmax, "softmax")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SynchronousRunF64, softmax, "softmax")->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
