// The small training problem the algorithm and run tests share: a synthetic data set of 400
// samples of 5 features and 3 classes, an objective over it, and its split across workers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/data/partition.hpp"
#include "models/data/synthetic.hpp"
#include "models/model_spec.hpp"
#include "models/rng.hpp"
#include "sim/algorithms/training_problem.hpp"

namespace sgdsim::testing {

// What each test file fixes for itself, so the numbers its tests see stay reproducible.
struct SyntheticProblemOptions {
  std::int64_t test_samples = 0;
  std::uint64_t data_seed = 0;       // make_synthetic
  std::uint64_t partition_seed = 0;  // the iid shards
  std::uint64_t init_seed = 0;       // the random initial parameters
  std::uint64_t run_seed = 0;        // TrainingProblem::seed
};

// Softmax regression by default; "least_squares" gets regression targets instead of classes.
template <class Scalar = double>
struct SyntheticProblem {
  SyntheticProblemOptions options;
  TrainTestData<Scalar> data;
  std::unique_ptr<Objective<Scalar>> objective;

  explicit SyntheticProblem(const SyntheticProblemOptions& problem_options,
                            std::string kind = "softmax")
      : options(problem_options) {
    SyntheticSpec spec;
    spec.task = kind == "least_squares" ? Task::regression : Task::multiclass;
    spec.samples = 400;
    spec.test_samples = options.test_samples;
    spec.features = 5;
    spec.classes = 3;
    data = make_synthetic<Scalar>(spec, options.data_seed);
    ModelSpec model;
    model.kind = std::move(kind);
    objective = make_objective<Scalar>(model, data.train.num_features(), data.train.num_classes);
  }

  // `steps` steps for `workers` workers, each with an iid shard, from one random initial model.
  TrainingProblem<Scalar> training(int workers, std::int64_t steps) const {
    TrainingProblem<Scalar> p;
    p.objective = objective.get();
    p.data = &data;
    p.shards =
        partition(PartitionKind::iid, data.train.num_samples(), workers, options.partition_seed);
    Rng rng(options.init_seed);
    p.initial_params = objective->initial_params(true, rng);
    p.steps = steps;
    p.seed = options.run_seed;
    return p;
  }

  // Gradient of the mean loss over the training samples `indices`, computed directly: the
  // reference a hand-rolled algorithm steps with.
  typename Objective<Scalar>::Vector gradient(const typename Objective<Scalar>::Vector& x,
                                              std::span<const std::int64_t> indices) const {
    typename Objective<Scalar>::Vector grad;
    loss_and_gradient(x, indices, grad);
    return grad;
  }
  // The mean loss over the training samples `indices`.
  double loss(const typename Objective<Scalar>::Vector& x,
              std::span<const std::int64_t> indices) const {
    typename Objective<Scalar>::Vector grad;
    return static_cast<double>(loss_and_gradient(x, indices, grad));
  }

 private:
  Scalar loss_and_gradient(const typename Objective<Scalar>::Vector& x,
                           std::span<const std::int64_t> indices,
                           typename Objective<Scalar>::Vector& grad) const {
    const auto& train = data.train;
    const auto n = static_cast<Eigen::Index>(indices.size());
    typename Objective<Scalar>::Matrix features(train.num_features(), n);
    typename Objective<Scalar>::Vector targets(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      features.col(j) = train.features.col(indices[static_cast<std::size_t>(j)]);
      targets[j] = train.targets[indices[static_cast<std::size_t>(j)]];
    }
    return objective->loss_and_gradient(x, features, targets, grad);
  }
};

}  // namespace sgdsim::testing
