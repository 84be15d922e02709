// The problem every worker trains on: objective, data, each worker's shard and the starting model.
// The data and objective outlive the algorithms that read them.
#pragma once

#include <cstdint>
#include <vector>

#include "models/data/augment.hpp"
#include "models/data/dataset.hpp"
#include "models/data/partition.hpp"
#include "models/objective.hpp"
#include "models/rng.hpp"

namespace sgdsim {

template <class Scalar>
struct TrainingProblem {
  const Objective<Scalar>* objective = nullptr;
  const TrainTestData<Scalar>* data = nullptr;
  // eval.samples: the training samples the reported model is measured on (null: all of them)
  const Dataset<Scalar>* eval_train = nullptr;
  Partition shards;  // one per worker
  typename Objective<Scalar>::Vector initial_params;
  std::int64_t steps = 0;
  std::uint64_t seed = 0;
  int threads = 1;  // for measuring a model on the whole data set (same results for any count)
  bool measure_grad_norm = true;  // eval.grad_norm
  AugmentSpec augment;            // data.augment: of training mini-batches only (image data)

  int workers() const { return static_cast<int>(shards.size()); }
  const Dataset<Scalar>& evaluation_set() const { return eval_train ? *eval_train : data->train; }
  // data.augment on a mini-batch gathered from the training set, with the drawing worker's
  // stream; nothing when it is off.
  void augment_batch(typename Dataset<Scalar>::Matrix& batch, Rng& rng) const {
    if (augment.enabled()) augment_images(batch, data->train.image.value(), augment, rng);
  }
};

}  // namespace sgdsim
