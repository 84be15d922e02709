// Elastic averaging SGD: the elastic force conserves x̃ + Σ x_i, one round of two workers matches
// its closed form in the gradients, metrics measure the centre, and a run on the synthetic problem
// trains and is deterministic.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "models/batched_evaluation.hpp"
#include "sim/algorithms/easgd.hpp"
#include "sim/algorithms/registry.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/synchronous_run.hpp"
#include "tests/support/owned_sampler.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::Easgd;
using Vector = Eigen::VectorXd;

const sgdsim::testing::SyntheticProblemOptions kProblemOptions{
    .test_samples = 60, .data_seed = 41, .partition_seed = 7, .init_seed = 13, .run_seed = 99};

AlgorithmSpec easgd_spec(std::int64_t interval, double lr, double elasticity) {
  AlgorithmSpec spec;
  spec.kind = sgdsim::AlgorithmKind::easgd;
  spec.interval = interval;
  spec.lr = lr;
  spec.batch_size = 8;
  spec.elasticity = elasticity;
  return spec;
}

std::vector<int> all_of(int workers) {
  std::vector<int> ids(workers);
  for (int w = 0; w < workers; ++w) ids[w] = w;
  return ids;
}

Vector centre_plus_workers(const Easgd<double>& algorithm) {
  Vector total = algorithm.centre();
  for (int w = 0; w < algorithm.workers(); ++w) total += algorithm.replica(w);
  return total;
}

double full_train_loss(const sgdsim::testing::SyntheticProblem<double>& problem, const Vector& x) {
  Vector grad;
  return sgdsim::chunked_loss_and_gradient(*problem.objective, x, problem.data.train, std::nullopt,
                                           grad);
}

class MetricsRecorder final : public sgdsim::RunObserver {
 public:
  void on_metrics(const sgdsim::MetricsRow& row) override { rows.push_back(row); }
  std::vector<sgdsim::MetricsRow> rows;
};

}  // namespace

TEST_CASE("an EASGD round conserves the centre plus the sum of the workers", "[sim][easgd]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  Easgd<double> algorithm(problem.training(4, 12), easgd_spec(3, 0.2, 0.2));
  for (const auto& participants : {all_of(4), std::vector<int>{0, 2, 3}}) {
    for (std::int64_t step = 1; step <= 3; ++step) {
      for (int w = 0; w < 4; ++w) REQUIRE(algorithm.local_step(w, step));
    }
    const Vector before = centre_plus_workers(algorithm);
    const Vector centre_before = algorithm.centre();
    algorithm.synchronize(3, participants);
    REQUIRE((algorithm.centre() - centre_before).norm() > 1e-4);  // the centre moved
    CHECK((centre_plus_workers(algorithm) - before).norm() <= 1e-13 * before.norm());
  }
}

TEST_CASE("one EASGD round of two workers: x_i = x0 - (1-a)g_i lr, centre = x0 - a lr (g_1+g_2)",
          "[sim][easgd]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  const double lr = 0.5;
  const double alpha = 0.25;
  const auto p = problem.training(2, 1);
  Easgd<double> algorithm(p, easgd_spec(1, lr, alpha));
  // The gradients each worker's first mini-batch gives at x0, from samplers built like the
  // algorithm's.
  std::vector<Vector> g(2);
  for (int w = 0; w < 2; ++w) {
    sgdsim::testing::OwnedSampler sampler(p.shards[w], 8,
                                          sgdsim::derive_seed(p.seed, "batches", w));
    const auto indices = sampler.next();
    Eigen::MatrixXd features(p.data->train.num_features(), static_cast<Eigen::Index>(8));
    Vector targets(8);
    for (Eigen::Index j = 0; j < 8; ++j) {
      features.col(j) = p.data->train.features.col(indices[j]);
      targets[j] = p.data->train.targets[indices[j]];
    }
    problem.objective->loss_and_gradient(p.initial_params, features, targets, g[w]);
  }
  REQUIRE((g[0] - g[1]).norm() > 1e-3);

  for (int w = 0; w < 2; ++w) REQUIRE(algorithm.local_step(w, 1));
  REQUIRE(algorithm.rounds().synchronizes_after(1));
  algorithm.synchronize(1, {0, 1});

  const Vector& x0 = p.initial_params;
  for (int w = 0; w < 2; ++w) {
    const Vector expected = x0 - (1 - alpha) * lr * g[w];
    CHECK((algorithm.replica(w) - expected).norm() <= 1e-14 * x0.norm());
  }
  const Vector expected_centre = x0 - alpha * lr * (g[0] + g[1]);
  CHECK((algorithm.centre() - expected_centre).norm() <= 1e-14 * x0.norm());
}

TEST_CASE("EASGD metrics and model.csv are the centre; a rejoining worker restarts from it",
          "[sim][easgd]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  Easgd<double> algorithm(problem.training(3, 4), easgd_spec(4, 0.3, 0.3));
  for (std::int64_t step = 1; step <= 4; ++step) {
    for (int w = 0; w < 3; ++w) REQUIRE(algorithm.local_step(w, step));
  }
  algorithm.synchronize(4, all_of(3));
  const double centre_loss = full_train_loss(problem, algorithm.centre());
  REQUIRE(std::abs(centre_loss - full_train_loss(problem, algorithm.average_of_replicas())) > 1e-6);
  CHECK(sgdsim::AveragedModelProbe<double>(algorithm).measure(4).train_loss ==
        Approx(centre_loss).epsilon(1e-14));
  algorithm.rejoin(1);
  CHECK(algorithm.replica(1) == algorithm.centre());
  CHECK(algorithm.rounds().payload_bytes() == static_cast<double>(algorithm.centre().size() * 8));
}

TEST_CASE("an EASGD run trains the centre and is deterministic", "[sim][easgd]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kProblemOptions);
  auto simulate = [&] {
    auto spec = easgd_spec(4, 0.2, 0.2);
    auto algorithm = sgdsim::make_algorithm<double>(spec, problem.training(4, 200));
    sgdsim::ComputeSpec compute_spec;
    compute_spec.kind = "lognormal";
    compute_spec.mean = sgdsim::SimTime::from_ns(30'000'000);
    compute_spec.sigma = 0.3;
    sgdsim::ComputeModel compute(compute_spec, 4, 5);
    sgdsim::Network network(sgdsim::NetworkSpec{}, 4);
    const sgdsim::ClusterTiming timing{&compute, &network, algorithm->rounds().payload_bytes()};
    MetricsRecorder recorder;
    sgdsim::AveragedModelProbe<double> probe(*algorithm);
    sgdsim::SynchronousRun run(*algorithm, probe, timing, 50, recorder);
    const auto result = run.run();
    REQUIRE(result.status == sgdsim::RunStatus::ok);
    CHECK(result.comm_rounds == 50);
    return recorder.rows;
  };
  const auto first = simulate();
  const auto second = simulate();
  REQUIRE(first.size() == 5);  // steps 0, 50, 100, 150, 200
  CHECK(first.back().model.train_loss < 0.6 * first.front().model.train_loss);
  REQUIRE(second.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].time == second[i].time);
    CHECK(first[i].model.train_loss == second[i].model.train_loss);
    CHECK(first[i].model.test_accuracy == second[i].model.test_accuracy);
  }
}
