// The interface every model implements: a differentiable mean loss over a batch of samples, with
// its parameters in one flat vector so that averaging replicas is a vector operation.
//
// Model state: the last num_state() entries of that vector are not trained but carried along
// (batch normalisation's running mean and variance). Averaging a replica averages them with the
// parameters, as PyTorch's model averagers do for a module's state; their gradient is always 0,
// and only a training step (training_loss_and_gradient) changes them.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <limits>
#include <string>

#include "models/rng.hpp"

namespace sgdsim {

struct Evaluation {
  double loss = 0.0;
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN for regression
};

template <class Scalar>
class Objective {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  virtual ~Objective() = default;

  // Length of the flat vector: trainable parameters, then model state.
  virtual Eigen::Index num_params() const = 0;
  virtual Eigen::Index num_state() const { return 0; }
  Eigen::Index num_trainable() const { return num_params() - num_state(); }

  // Mean loss over the columns of `features`; `grad` (resized by the callee) receives its gradient.
  virtual Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                   const Eigen::Ref<const Vector>& targets, Vector& grad) const = 0;

  // The same loss and gradient as a training step sees them, which also updates the model state
  // in `params` (a running mean moving towards this batch's).
  virtual Scalar training_loss_and_gradient(Vector& params,
                                            const Eigen::Ref<const Matrix>& features,
                                            const Eigen::Ref<const Vector>& targets,
                                            Vector& grad) const {
    return loss_and_gradient(params, features, targets, grad);
  }

  // Mean loss, and for classifiers the fraction of samples whose arg-max class is the target.
  virtual Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                              const Eigen::Ref<const Vector>& targets) const = 0;

  // Floating-point operations of one forward + backward pass over `batch` samples.
  virtual double flops_per_gradient(Eigen::Index batch) const = 0;

  // Starting point: all zeros, or a seeded random draw suited to the model.
  virtual Vector initial_params(bool random, Rng& rng) const = 0;
};

}  // namespace sgdsim
