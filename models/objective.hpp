// The interface every model implements: a differentiable mean loss over a batch of samples, with
// its parameters in one flat vector so that averaging replicas is a vector operation.
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

  virtual Eigen::Index num_params() const = 0;

  // Mean loss over the columns of `features`; `grad` (resized by the callee) receives its gradient.
  virtual Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                   const Eigen::Ref<const Vector>& targets, Vector& grad) const = 0;

  // Mean loss, and for classifiers the fraction of samples whose arg-max class is the target.
  virtual Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                              const Eigen::Ref<const Vector>& targets) const = 0;

  // Floating-point operations of one forward + backward pass over `batch` samples.
  virtual double flops_per_gradient(Eigen::Index batch) const = 0;

  // Starting point: all zeros, or a seeded random draw suited to the model.
  virtual Vector initial_params(bool random, Rng& rng) const = 0;
};

}  // namespace sgdsim
