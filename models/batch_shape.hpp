// The shape check every objective makes before touching a batch, so a wrong call fails with a
// message instead of reading out of bounds.
#pragma once

#include <Eigen/Core>

#include "models/rng.hpp"

namespace sgdsim {

// Throws std::invalid_argument, naming `model`, unless the parameter count matches, the batch has
// `num_features` rows, at least one column, and one target per column.
void check_batch_shape(const char* model, Eigen::Index num_params, Eigen::Index expected_params,
                       Eigen::Index rows, Eigen::Index num_features, Eigen::Index cols,
                       Eigen::Index num_targets);

// A linear model's starting point: zeros, or weights drawn from N(0, 0.01²) for the first
// `num_weights` parameters with the bias left at zero.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> linear_initial_params(Eigen::Index num_params,
                                                               Eigen::Index num_weights,
                                                               bool random, Rng& rng) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> params =
      Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(num_params);
  if (random) {
    for (Eigen::Index i = 0; i < num_weights; ++i)
      params[i] = static_cast<Scalar>(0.01 * rng.normal());
  }
  return params;
}

}  // namespace sgdsim
