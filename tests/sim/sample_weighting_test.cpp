// algorithm.weighting: samples — every average weighs worker i by nᵢ/n, its share of the training
// samples, so that local SGD on unequal shards minimises the pooled objective. Checked against
// weights computed here from the shard sizes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

#include "sim/algorithms/local_sgd.hpp"
#include "sim/run/averaged_model_probe.hpp"
#include "tests/support/synthetic_problem.hpp"

namespace {

using sgdsim::AlgorithmSpec;
using sgdsim::LocalSgd;
using sgdsim::Weighting;
using Vector = Eigen::VectorXd;

const sgdsim::testing::SyntheticProblemOptions kOptions{
    .test_samples = 0, .data_seed = 12, .partition_seed = 6, .init_seed = 2, .run_seed = 41};

AlgorithmSpec spec_of(Weighting weighting) {
  AlgorithmSpec spec;
  spec.interval = 3;
  spec.lr = 0.3;
  spec.batch_size = 8;
  spec.weighting = weighting;
  return spec;
}

// Shards of 40, 120 and 240 of the 400 samples.
sgdsim::TrainingProblem<double> unequal_shards(const sgdsim::testing::SyntheticProblem<double>& s) {
  auto p = s.training(3, 9);
  std::vector<std::vector<std::int64_t>> shards(3);
  for (std::int64_t i = 0; i < 400; ++i) shards[i < 40 ? 0 : i < 160 ? 1 : 2].push_back(i);
  p.shards = sgdsim::Partition(shards);
  return p;
}

void steps(LocalSgd<double>& algorithm, std::int64_t from, std::int64_t to) {
  for (std::int64_t t = from; t <= to; ++t) {
    for (int w = 0; w < algorithm.workers(); ++w) REQUIRE(algorithm.local_step(w, t));
  }
}

Vector weighted_mean(const LocalSgd<double>& algorithm, const std::vector<double>& weights) {
  Vector mean = Vector::Zero(algorithm.replica(0).size());
  for (int w = 0; w < algorithm.workers(); ++w) mean += weights[w] * algorithm.replica(w);
  return mean;
}

double relative_difference(const Vector& a, const Vector& b) {
  return (a - b).norm() / b.norm();
}

}  // namespace

TEST_CASE("sample weighting averages the replicas with weights nᵢ/n that sum to 1",
          "[sim][weighting]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  const auto p = unequal_shards(problem);
  const std::vector<double> weights = {40.0 / 400, 120.0 / 400, 240.0 / 400};
  REQUIRE(std::accumulate(weights.begin(), weights.end(), 0.0) == Approx(1.0).epsilon(1e-15));

  LocalSgd<double> algorithm(p, spec_of(Weighting::samples));
  steps(algorithm, 1, 3);
  REQUIRE(algorithm.rounds().synchronizes_after(3));
  const Vector expected = weighted_mean(algorithm, weights);
  // Not vacuous: the weighted mean is not the plain one.
  REQUIRE(relative_difference(algorithm.average_of_replicas(), expected) < 1e-12);
  const Vector plain = (algorithm.replica(0) + algorithm.replica(1) + algorithm.replica(2)) / 3.0;
  REQUIRE(relative_difference(plain, expected) > 1e-4);

  algorithm.synchronize(3, {0, 1, 2});
  for (int w = 0; w < 3; ++w) {
    INFO("worker " << w);
    CHECK(relative_difference(algorithm.replica(w), expected) < 1e-12);
  }
  CHECK(relative_difference(algorithm.consensus(), expected) < 1e-12);
}

TEST_CASE("sample weighting measures the weighted mean of the replicas", "[sim][weighting]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  const auto p = unequal_shards(problem);
  LocalSgd<double> algorithm(p, spec_of(Weighting::samples));
  sgdsim::AveragedModelProbe<double> probe(algorithm);
  steps(algorithm, 1, 2);
  for (int w = 0; w < 3; ++w) probe.snapshot(w, 2);
  const Vector mean = weighted_mean(algorithm, {0.1, 0.3, 0.6});
  Vector grad;
  const auto& train = problem.data.train;
  const double loss =
      problem.objective->loss_and_gradient(mean, train.features, train.targets, grad);
  const sgdsim::ModelMetrics measured = probe.measure(2);
  CHECK(measured.train_loss == Approx(loss).epsilon(1e-12));
  CHECK(measured.grad_norm_sq == Approx(grad.squaredNorm()).epsilon(1e-10));
}

TEST_CASE("on equal shards sample weighting is the plain mean, bit for bit", "[sim][weighting]") {
  const sgdsim::testing::SyntheticProblem<double> problem(kOptions);
  const auto p = problem.training(4, 9);  // iid shards of 100
  LocalSgd<double> weighted(p, spec_of(Weighting::samples));
  LocalSgd<double> equal(p, spec_of(Weighting::equal));
  for (auto* algorithm : {&weighted, &equal}) {
    steps(*algorithm, 1, 3);
    algorithm->synchronize(3, {0, 1, 2, 3});
  }
  for (int w = 0; w < 4; ++w) CHECK(weighted.replica(w) == equal.replica(w));
}
