// Loss, gradient and accuracy over many samples, computed in chunks so that memory stays bounded
// (a full-batch MLP pass over 60 000 samples would otherwise hold every activation at once).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "models/data/dataset.hpp"
#include "models/objective.hpp"

namespace sgdsim {

inline constexpr Eigen::Index kEvaluationChunk = 2048;

// Mean loss and its gradient over the samples `indices` of `data` (all samples when null).
template <class Scalar>
double chunked_loss_and_gradient(const Objective<Scalar>& objective,
                                 const typename Objective<Scalar>::Vector& params,
                                 const Dataset<Scalar>& data,
                                 const std::vector<std::int64_t>* indices,
                                 typename Objective<Scalar>::Vector& grad) {
  const Eigen::Index n = indices ? static_cast<Eigen::Index>(indices->size()) : data.num_samples();
  typename Objective<Scalar>::Vector chunk_grad;
  typename Dataset<Scalar>::Matrix features;
  typename Dataset<Scalar>::Vector targets;
  grad.setZero(objective.num_params());
  double loss = 0.0;
  for (Eigen::Index begin = 0; begin < n; begin += kEvaluationChunk) {
    const Eigen::Index count = std::min(kEvaluationChunk, n - begin);
    Scalar chunk_loss;
    if (indices) {
      gather_columns(data, *indices, begin, begin + count, features, targets);
      chunk_loss = objective.loss_and_gradient(params, features, targets, chunk_grad);
    } else {
      chunk_loss = objective.loss_and_gradient(params, data.features.middleCols(begin, count),
                                               data.targets.segment(begin, count), chunk_grad);
    }
    const double weight = static_cast<double>(count) / static_cast<double>(n);
    loss += weight * static_cast<double>(chunk_loss);
    grad += static_cast<Scalar>(weight) * chunk_grad;
  }
  return loss;
}

// Mean loss and accuracy over all samples of `data`.
template <class Scalar>
Evaluation chunked_evaluate(const Objective<Scalar>& objective,
                            const typename Objective<Scalar>::Vector& params,
                            const Dataset<Scalar>& data) {
  const Eigen::Index n = data.num_samples();
  double loss_sum = 0.0;
  double correct = 0.0;  // a whole number: chunks report fractions of their own size
  for (Eigen::Index begin = 0; begin < n; begin += kEvaluationChunk) {
    const Eigen::Index count = std::min(kEvaluationChunk, n - begin);
    const Evaluation chunk = objective.evaluate(params, data.features.middleCols(begin, count),
                                                data.targets.segment(begin, count));
    loss_sum += chunk.loss * static_cast<double>(count);
    correct += std::round(chunk.accuracy * static_cast<double>(count));  // stays NaN for regression
  }
  return {loss_sum / static_cast<double>(n), correct / static_cast<double>(n)};
}

}  // namespace sgdsim
