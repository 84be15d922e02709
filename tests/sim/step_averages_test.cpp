// eval.step_averages: the run's (1/T)·Σ_{t=0}^{T−1} f(x̄_t) and ‖∇f(x̄_t)‖² (Yu, Yang & Zhu 2019,
// Theorem 1's left-hand side), checked against a hand-rolled replay of the same local SGD run that
// forms x̄_t after every step and measures it on the whole training set.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "models/rng.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::LocalSgd;
using sgdsim::RunResult;
using sgdsim::RunStatus;
using sgdsim::SimTime;
using Vector = Eigen::VectorXd;

const sgdsim::testing::SyntheticProblemOptions kOptions{
    .test_samples = 50, .data_seed = 31, .partition_seed = 4, .init_seed = 8, .run_seed = 99};

struct Averages {
  double train_loss = 0.0;
  double grad_norm_sq = 0.0;
  std::vector<double> grad_norm_sq_per_step;  // t = 0 … T
};

// Local SGD by hand: each worker's SGD on its own batches (drawn as the algorithm draws them), the
// plain mean after every I-th step, and the full-data loss and gradient of that mean at each t.
Averages replay(const sgdsim::testing::SyntheticProblem<double>& problem,
                const sgdsim::TrainingProblem<double>& p, std::int64_t interval, double lr,
                std::int64_t batch) {
  const int workers = static_cast<int>(p.shards.size());
  std::vector<sgdsim::testing::OwnedSampler> samplers;
  for (int w = 0; w < workers; ++w) {
    samplers.emplace_back(p.shards[w], batch, sgdsim::derive_seed(p.seed, "batches", w));
  }
  const auto& train = problem.data.train;
  std::vector<Vector> x(workers, p.initial_params);
  Averages averages;
  for (std::int64_t t = 0; t <= p.steps; ++t) {
    if (t > 0) {
      for (int w = 0; w < workers; ++w) {
        const auto indices = samplers[w].next();
        Eigen::MatrixXd features(train.num_features(), static_cast<Eigen::Index>(indices.size()));
        Vector targets(static_cast<Eigen::Index>(indices.size()));
        for (std::size_t j = 0; j < indices.size(); ++j) {
          features.col(static_cast<Eigen::Index>(j)) = train.features.col(indices[j]);
          targets[static_cast<Eigen::Index>(j)] = train.targets[indices[j]];
        }
        Vector grad;
        problem.objective->loss_and_gradient(x[w], features, targets, grad);
        x[w] -= lr * grad;
      }
    }
    Vector mean = Vector::Zero(p.initial_params.size());
    for (const Vector& replica : x) mean += replica;
    mean /= workers;
    if (t > 0 && (t % interval == 0 || t == p.steps)) x.assign(workers, mean);
    Vector grad;
    const double loss =
        problem.objective->loss_and_gradient(mean, train.features, train.targets, grad);
    averages.grad_norm_sq_per_step.push_back(grad.squaredNorm());
    if (t < p.steps) {  // t = 0 … T − 1
      averages.train_loss += loss / static_cast<double>(p.steps);
      averages.grad_norm_sq += grad.squaredNorm() / static_cast<double>(p.steps);
    }
  }
  return averages;
}

RunResult simulate(LocalSgd<double>& algorithm, int workers, std::int64_t eval_every,
                   double sigma) {
  sgdsim::ComputeSpec compute_spec;
  compute_spec.kind = sigma > 0 ? "lognormal" : "constant";
  compute_spec.mean = SimTime::from_ns(30'000'000);
  compute_spec.sigma = sigma;
  sgdsim::ComputeModel compute(compute_spec, workers, 3);
  sgdsim::NetworkSpec network_spec;
  sgdsim::Network network(network_spec, workers);
  sgdsim::ClusterTiming timing;
  timing.compute = &compute;
  timing.network = &network;
  timing.payload_bytes = algorithm.rounds().payload_bytes();
  sgdsim::RunObserver no_observer;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, eval_every, no_observer, nullptr, 1,
                             /*step_averages=*/true);
  return run.run();
}

}  // namespace

TEST_CASE("step averages equal (1/T)·Σ_{t<T} of f and ‖∇f‖² at the hand-computed x̄_t",
          "[sim][step_averages]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  const int workers = 3;
  const std::int64_t steps = 14;
  const std::int64_t interval = 4;  // rounds at 4, 8, 12 and 14: x̄_t between rounds is a mean
  const double lr = 0.4;
  const std::int64_t batch = 8;
  const auto p = problem.training(workers, steps);
  AlgorithmSpec spec;
  spec.interval = interval;
  spec.lr = lr;
  spec.batch_size = batch;
  const Averages expected = replay(problem, p, interval, lr, batch);
  // Not vacuous: ‖∇f(x̄_t)‖² moves, so the mean is neither its first nor its last value.
  REQUIRE(expected.grad_norm_sq_per_step.front() > 2 * expected.grad_norm_sq);
  REQUIRE(expected.grad_norm_sq_per_step.back() < 0.9 * expected.grad_norm_sq);

  // Lognormal step times: workers reach a step t at different times, so x̄_t is assembled from
  // snapshots; metrics rows (every 5) share some of those steps.
  for (const double sigma : {0.0, 0.5}) {
    for (const std::int64_t eval_every : {0, 5}) {
      INFO("sigma " << sigma << ", eval every " << eval_every);
      LocalSgd<double> algorithm(p, spec);
      const RunResult result = simulate(algorithm, workers, eval_every, sigma);
      REQUIRE(result.status == RunStatus::ok);
      REQUIRE(result.step_averages.has_value());
      CHECK(result.step_averages->steps == steps);
      const double n = static_cast<double>(result.step_averages->steps);
      CHECK(result.step_averages->train_loss_sum / n == Approx(expected.train_loss).epsilon(1e-12));
      CHECK(result.step_averages->grad_norm_sq_sum / n ==
            Approx(expected.grad_norm_sq).epsilon(1e-12));
    }
  }
}

TEST_CASE("without step averages a run reports none", "[sim][step_averages]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  AlgorithmSpec spec;
  spec.interval = 2;
  spec.lr = 0.1;
  spec.batch_size = 8;
  LocalSgd<double> algorithm(problem.training(2, 6), spec);
  sgdsim::ComputeSpec compute_spec;
  sgdsim::ComputeModel compute(compute_spec, 2, 3);
  sgdsim::Network network(sgdsim::NetworkSpec{}, 2);
  sgdsim::ClusterTiming timing;
  timing.compute = &compute;
  timing.network = &network;
  sgdsim::RunObserver no_observer;
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  sgdsim::SynchronousRun run(algorithm, probe, timing, 0, no_observer);
  CHECK_FALSE(run.run().step_averages.has_value());
}
