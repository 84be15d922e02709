// The math of local SGD (Parallel Restarted SGD), driven step by step without a cluster and
// checked against hand-rolled reference implementations on a small synthetic problem.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/algorithms/local_sgd.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::LocalSgd;
using sgdsim::MomentumSync;
using sgdsim::TrainingProblem;
using sgdsim::testing::OwnedSampler;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;

// The seeds of this file's problem, and a test set for the model probe.
const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 60, .data_seed = 77, .partition_seed = 5, .init_seed = 9, .run_seed = 1234};

// Softmax regression (or least squares) on 400 samples of 5 features and 3 classes, in float64
// unless asked, with a reference gradient.
template <class Scalar = double>
struct Problem : sgdsim::testing::SyntheticProblem<Scalar> {
  explicit Problem(std::string kind = "softmax")
      : sgdsim::testing::SyntheticProblem<Scalar>(kProblemOptions, std::move(kind)) {}
};

AlgorithmSpec spec_of(std::int64_t interval, double lr, std::int64_t batch_size,
                      double momentum = 0.0, MomentumSync sync = MomentumSync::average) {
  AlgorithmSpec spec;
  spec.interval = interval;
  spec.lr = lr;
  spec.batch_size = batch_size;
  spec.momentum = momentum;
  spec.momentum_sync = sync;
  return spec;
}

// Samplers built exactly as the algorithm builds them, so the reference sees the same batches.
std::vector<OwnedSampler> samplers_for(const TrainingProblem<double>& p, std::int64_t batch_size) {
  std::vector<OwnedSampler> samplers;
  for (std::size_t w = 0; w < p.shards.size(); ++w) {
    samplers.emplace_back(p.shards[w], batch_size, sgdsim::derive_seed(p.seed, "batches", w));
  }
  return samplers;
}

// Runs `steps` steps of every worker in lock-step, synchronising where the algorithm says to.
std::vector<int> every_worker(const sgdsim::Algorithm& algorithm) {
  std::vector<int> workers(algorithm.workers());
  for (int w = 0; w < algorithm.workers(); ++w) workers[w] = w;
  return workers;
}

template <class Scalar>
void drive(LocalSgd<Scalar>& algorithm, std::int64_t from, std::int64_t to) {
  for (std::int64_t step = from; step <= to; ++step) {
    for (int w = 0; w < algorithm.workers(); ++w) REQUIRE(algorithm.local_step(w, step));
    if (algorithm.rounds().synchronizes_after(step))
      algorithm.synchronize(step, every_worker(algorithm));
  }
}

// The public, const view of a replica (the non-const overload is for the algorithm itself).
template <class Scalar>
const auto& replica_of(const LocalSgd<Scalar>& algorithm, int worker) {
  return algorithm.replica(worker);
}

double relative_difference(const Vector& a, const Vector& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

}  // namespace

TEST_CASE("local SGD with I = 1 equals mini-batch SGD over the union of the workers' batches",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const int workers = 4;
  const std::int64_t steps = 20;
  const double lr = 0.3;
  const std::int64_t batch = 8;
  const auto p = problem.training(workers, steps);
  LocalSgd<double> algorithm(p, spec_of(1, lr, batch));
  auto samplers = samplers_for(p, batch);

  Vector x = p.initial_params;
  for (std::int64_t step = 1; step <= steps; ++step) {
    Vector mean_gradient = Vector::Zero(x.size());
    for (int w = 0; w < workers; ++w) mean_gradient += problem.gradient(x, samplers[w].next());
    x -= lr * mean_gradient / workers;
  }
  drive(algorithm, 1, steps);

  REQUIRE(relative_difference(x, p.initial_params) > 1e-3);  // training moved the model
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    CHECK(relative_difference(replica_of(algorithm, w), x) < 1e-12);
  }
}

TEST_CASE("local SGD with one worker equals plain SGD, whatever the interval", "[sim][local_sgd]") {
  const Problem<> problem;
  const std::int64_t steps = 25;
  const double lr = 0.2;
  const std::int64_t batch = 16;
  for (const std::int64_t interval : {1, 3, 7, 25}) {
    INFO("interval " << interval);
    const auto p = problem.training(1, steps);
    LocalSgd<double> algorithm(p, spec_of(interval, lr, batch));
    auto samplers = samplers_for(p, batch);
    Vector x = p.initial_params;
    for (std::int64_t step = 1; step <= steps; ++step)
      x -= lr * problem.gradient(x, samplers[0].next());
    drive(algorithm, 1, steps);
    CHECK(relative_difference(replica_of(algorithm, 0), x) < 1e-12);
  }
}

TEST_CASE("averaging replaces every replica by the mean of the replicas before it",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const int workers = 4;
  const auto p = problem.training(workers, 12);
  LocalSgd<double> algorithm(p, spec_of(4, 0.3, 8));
  drive(algorithm, 1, 3);
  CHECK_FALSE(algorithm.rounds().synchronizes_after(3));
  CHECK(algorithm.rounds().synchronizes_after(4));

  Vector mean = Vector::Zero(p.initial_params.size());
  for (int w = 0; w < workers; ++w) mean += replica_of(algorithm, w);
  mean /= workers;
  // The replicas must have drifted apart, or the check below proves nothing.
  REQUIRE(relative_difference(replica_of(algorithm, 0), replica_of(algorithm, 1)) > 1e-6);
  CHECK(relative_difference(algorithm.average_of_replicas(), mean) < 1e-12);

  algorithm.synchronize(3, every_worker(algorithm));
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    CHECK(relative_difference(replica_of(algorithm, w), mean) < 1e-12);
  }
}

TEST_CASE("a round among some workers averages just them and leaves the others alone",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const auto p = problem.training(4, 12);
  LocalSgd<double> algorithm(p, spec_of(4, 0.3, 8));
  drive(algorithm, 1, 3);
  const Vector absent = replica_of(algorithm, 2);
  const Vector mean =
      (replica_of(algorithm, 0) + replica_of(algorithm, 1) + replica_of(algorithm, 3)) / 3.0;
  algorithm.synchronize(3, {0, 1, 3});
  for (int w : {0, 1, 3}) CHECK(relative_difference(replica_of(algorithm, w), mean) < 1e-12);
  CHECK(replica_of(algorithm, 2) == absent);
}

TEST_CASE("a rejoining worker restarts from the latest average, or the initial model before any",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const auto p = problem.training(3, 12);
  LocalSgd<double> algorithm(p, spec_of(2, 0.3, 8));
  drive(algorithm, 1, 1);
  algorithm.rejoin(1);
  CHECK(replica_of(algorithm, 1) == p.initial_params);

  drive(algorithm, 2, 3);
  algorithm.synchronize(3, {0, 2});
  const Vector average = replica_of(algorithm, 0);
  REQUIRE(relative_difference(replica_of(algorithm, 1), average) > 1e-6);
  algorithm.rejoin(1);
  CHECK(replica_of(algorithm, 1) == average);
}

TEST_CASE("local SGD synchronises after every I-th step and after the last step",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const auto p = problem.training(2, 10);
  LocalSgd<double> algorithm(p, spec_of(4, 0.1, 8));
  std::vector<std::int64_t> sync_steps;
  for (std::int64_t step = 1; step <= 10; ++step) {
    if (algorithm.rounds().synchronizes_after(step)) sync_steps.push_back(step);
  }
  CHECK(sync_steps == std::vector<std::int64_t>{4, 8, 10});
}

TEST_CASE("heavy-ball momentum with one worker matches a hand-rolled implementation",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const std::int64_t steps = 20;
  const double lr = 0.1;
  const double mu = 0.9;
  const std::int64_t batch = 8;
  const auto p = problem.training(1, steps);
  LocalSgd<double> algorithm(p, spec_of(3, lr, batch, mu, MomentumSync::average));
  auto samplers = samplers_for(p, batch);
  Vector x = p.initial_params;
  Vector v = Vector::Zero(x.size());
  for (std::int64_t step = 1; step <= steps; ++step) {
    v = mu * v + problem.gradient(x, samplers[0].next());
    x -= lr * v;
  }
  drive(algorithm, 1, steps);
  CHECK(relative_difference(replica_of(algorithm, 0), x) < 1e-12);

  // Without momentum the result differs, so the check above really saw momentum.
  LocalSgd<double> plain(p, spec_of(3, lr, batch));
  drive(plain, 1, steps);
  CHECK(relative_difference(replica_of(plain, 0), x) > 1e-6);
}

TEST_CASE("momentum buffers are averaged, kept or reset at restarts as momentum_sync says",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const int workers = 2;
  const std::int64_t steps = 12;
  const std::int64_t interval = 3;
  const double lr = 0.1;
  const double mu = 0.8;
  const std::int64_t batch = 8;
  for (const MomentumSync sync :
       {MomentumSync::average, MomentumSync::local, MomentumSync::reset}) {
    INFO("momentum_sync " << static_cast<int>(sync));
    const auto p = problem.training(workers, steps);
    LocalSgd<double> algorithm(p, spec_of(interval, lr, batch, mu, sync));
    auto samplers = samplers_for(p, batch);
    std::vector<Vector> x(workers, p.initial_params);
    std::vector<Vector> v(workers, Vector::Zero(p.initial_params.size()));
    for (std::int64_t step = 1; step <= steps; ++step) {
      for (int w = 0; w < workers; ++w) {
        v[w] = mu * v[w] + problem.gradient(x[w], samplers[w].next());
        x[w] -= lr * v[w];
      }
      if (step % interval == 0) {
        const Vector x_mean = (x[0] + x[1]) / 2;
        const Vector v_mean = (v[0] + v[1]) / 2;
        for (int w = 0; w < workers; ++w) {
          x[w] = x_mean;
          if (sync == MomentumSync::average) v[w] = v_mean;
          if (sync == MomentumSync::reset) v[w].setZero();
        }
      }
    }
    drive(algorithm, 1, steps);
    for (int w = 0; w < workers; ++w)
      CHECK(relative_difference(replica_of(algorithm, w), x[w]) < 1e-12);
  }
}

TEST_CASE("the sync payload is one model, two when averaged momentum travels with it",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const auto p = problem.training(2, 10);
  const auto params = static_cast<double>(p.initial_params.size());
  REQUIRE(params == 6 * 3);  // softmax: (5 features + bias) x 3 classes
  CHECK(LocalSgd<double>(p, spec_of(2, 0.1, 8)).rounds().payload_bytes() == params * 8);
  CHECK(LocalSgd<double>(p, spec_of(2, 0.1, 8, 0.9, MomentumSync::average))
            .rounds()
            .payload_bytes() == params * 8 * 2);
  CHECK(
      LocalSgd<double>(p, spec_of(2, 0.1, 8, 0.9, MomentumSync::local)).rounds().payload_bytes() ==
      params * 8);
  CHECK(
      LocalSgd<double>(p, spec_of(2, 0.1, 8, 0.9, MomentumSync::reset)).rounds().payload_bytes() ==
      params * 8);

  const Problem<float> float_problem;
  const auto pf = float_problem.training(2, 10);
  CHECK(LocalSgd<float>(pf, spec_of(2, 0.1, 8)).rounds().payload_bytes() == params * 4);
  CHECK(LocalSgd<float>(pf, spec_of(2, 0.1, 8, 0.5)).rounds().payload_bytes() == params * 4 * 2);
}

TEST_CASE("a full-batch local step is a plain gradient-descent step on the worker's shard",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const int workers = 3;
  const double lr = 0.5;
  const auto p = problem.training(workers, 6);
  LocalSgd<double> algorithm(p, spec_of(6, lr, 0));
  std::vector<Vector> x(workers, p.initial_params);
  for (std::int64_t step = 1; step <= 5; ++step) {
    for (int w = 0; w < workers; ++w) {
      x[w] -= lr * problem.gradient(x[w], p.shards[w]);
      REQUIRE(algorithm.local_step(w, step));
    }
  }
  for (int w = 0; w < workers; ++w) {
    INFO("worker " << w);
    CHECK(relative_difference(replica_of(algorithm, w), x[w]) < 1e-12);
  }
}

TEST_CASE("a step learning-rate schedule multiplies the rate by its factor every `every` steps",
          "[sim][local_sgd]") {
  AlgorithmSpec spec = spec_of(1, 0.4, 8);
  CHECK(spec.lr_at(1) == 0.4);
  CHECK(spec.lr_at(1000) == 0.4);
  spec.lr_schedule.kind = "step";
  spec.lr_schedule.every = 10;
  spec.lr_schedule.factor = 0.5;
  CHECK(spec.lr_at(1) == 0.4);
  CHECK(spec.lr_at(10) == 0.4);
  CHECK(spec.lr_at(11) == 0.2);
  CHECK(spec.lr_at(20) == 0.2);
  CHECK(spec.lr_at(21) == 0.1);

  // And the algorithm uses it: one worker, full batch, so each step is x -= lr_at(step)·∇f(x).
  const Problem<> problem;
  const auto p = problem.training(1, 30);
  spec.batch_size = 0;
  spec.interval = 30;
  LocalSgd<double> algorithm(p, spec);
  Vector x = p.initial_params;
  for (std::int64_t step = 1; step <= 25; ++step) {
    x -= spec.lr_at(step) * problem.gradient(x, p.shards[0]);
    REQUIRE(algorithm.local_step(0, step));
  }
  CHECK(relative_difference(replica_of(algorithm, 0), x) < 1e-12);
}

TEST_CASE("the model probe measures the mean of the snapshots taken at that step",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const int workers = 3;
  const auto p = problem.training(workers, 20);
  LocalSgd<double> algorithm(p, spec_of(20, 0.3, 8));
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  drive(algorithm, 1, 4);
  for (int w = 0; w < workers; ++w) probe.snapshot(w, 4);
  const Vector mean_at_4 = algorithm.average_of_replicas();
  drive(algorithm, 5, 9);  // the replicas move on; the snapshot must not
  REQUIRE(relative_difference(algorithm.average_of_replicas(), mean_at_4) > 1e-6);

  const sgdsim::ModelMetrics metrics = probe.measure(4);
  Vector grad;
  const double loss = problem.objective->loss_and_gradient(mean_at_4, problem.data.train.features,
                                                           problem.data.train.targets, grad);
  CHECK(metrics.train_loss == Approx(loss).epsilon(1e-12));
  CHECK(metrics.grad_norm_sq == Approx(grad.squaredNorm()).epsilon(1e-10));
  const sgdsim::Evaluation test = problem.objective->evaluate(
      mean_at_4, problem.data.test->features, problem.data.test->targets);
  CHECK(metrics.test_loss == Approx(test.loss).epsilon(1e-12));
  CHECK(metrics.test_accuracy == Approx(test.accuracy).epsilon(1e-12));

  // Without a snapshot, the current replicas are measured.
  const sgdsim::ModelMetrics now = probe.measure(9);
  const double loss_now = problem.objective->loss_and_gradient(algorithm.average_of_replicas(),
                                                               problem.data.train.features,
                                                               problem.data.train.targets, grad);
  CHECK(now.train_loss == Approx(loss_now).epsilon(1e-12));
}

std::vector<double> written_parameters(LocalSgd<double>& algorithm) {
  std::ostringstream out;
  sgdsim::AveragedModelProbe<double>(algorithm).write_model(out);
  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  CHECK(line == "parameter");
  std::vector<double> values;
  while (std::getline(in, line)) values.push_back(std::stod(line));
  return values;
}

TEST_CASE("the probe writes a header and the model of the latest round, one per line",
          "[sim][local_sgd]") {
  const Problem<> problem;
  const auto p = problem.training(2, 8);
  LocalSgd<double> algorithm(p, spec_of(4, 0.3, 8));
  drive(algorithm, 1, 3);  // no round yet: the initial model, not the drifting replicas
  auto written = written_parameters(algorithm);
  REQUIRE(written.size() == static_cast<std::size_t>(p.initial_params.size()));
  for (std::size_t i = 0; i < written.size(); ++i) CHECK(written[i] == p.initial_params[i]);

  drive(algorithm, 4, 6);  // a round after step 4, then local steps again
  const Vector averaged_at_4 = Vector::Map(written_parameters(algorithm).data(), written.size());
  REQUIRE(relative_difference(averaged_at_4, p.initial_params) > 1e-6);
  drive(algorithm, 7, 8);
  written = written_parameters(algorithm);
  const Vector& final_average = replica_of(algorithm, 0);
  for (std::size_t i = 0; i < written.size(); ++i) {
    CHECK(written[i] == final_average[static_cast<Eigen::Index>(i)]);  // shortest text: exact
  }
}

TEST_CASE("a local step reports a model that stopped being finite", "[sim][local_sgd]") {
  const Problem<> problem("least_squares");
  const auto p = problem.training(1, 400);
  LocalSgd<double> algorithm(p, spec_of(400, 1e6, 8));
  std::int64_t failed_at = 0;
  for (std::int64_t step = 1; step <= 400 && failed_at == 0; ++step) {
    if (!algorithm.local_step(0, step)) failed_at = step;
  }
  CHECK(failed_at > 0);
}

TEST_CASE("make_algorithm builds local_sgd; the catalog knows no other names", "[sim][local_sgd]") {
  const Problem<> problem;
  AlgorithmSpec spec = spec_of(2, 0.1, 8);
  CHECK(sgdsim::make_algorithm<double>(spec, problem.training(2, 4))->workers() == 2);
  CHECK(sgdsim::find_algorithm("no_such_algorithm") == nullptr);
  CHECK(sgdsim::find_algorithm("local_sgd")->kind == sgdsim::AlgorithmKind::local_sgd);
  spec.kind = sgdsim::AlgorithmKind::async_sgd;  // not one whose workers meet in rounds
  CHECK_THROWS_AS(sgdsim::make_algorithm<double>(spec, problem.training(2, 4)),
                  std::invalid_argument);
  spec.kind = sgdsim::AlgorithmKind::local_sgd;
  spec.interval = 0;
  CHECK_THROWS_AS(LocalSgd<double>(problem.training(2, 4), spec), std::invalid_argument);
}
