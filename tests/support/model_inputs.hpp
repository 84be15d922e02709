// Random batches and parameters to check model properties on, drawn from a seeded Rng.
#pragma once

#include <Eigen/Dense>

#include "models/rng.hpp"

namespace sgdsim::testing {

// Samples N(0, 1); targets N(0, 1) for regression (num_classes 0), else uniform class indices.
inline void random_batch(Eigen::Index num_features, Eigen::Index batch, int num_classes, Rng& rng,
                         Eigen::MatrixXd& features, Eigen::VectorXd& targets) {
  features.resize(num_features, batch);
  for (double& x : features.reshaped()) x = rng.normal();
  targets.resize(batch);
  for (double& y : targets) {
    y = num_classes == 0
            ? rng.normal()
            : static_cast<double>(rng.uniform_index(static_cast<unsigned>(num_classes)));
  }
}

// Parameters N(0, 0.5²).
inline Eigen::VectorXd random_params(Eigen::Index size, Rng& rng) {
  Eigen::VectorXd params(size);
  for (double& p : params) p = 0.5 * rng.normal();
  return params;
}

}  // namespace sgdsim::testing
