// The outer step of slowmo and diloco: each round's averaged update Δ = x_start − x̄ (x_start: the
// model the round began from, x̄: the workers' average) is treated as a gradient of the outer
// optimizer, which keeps its own momentum. With outer_lr 1 and outer_momentum 0 both give x̄ back,
// i.e. plain local SGD.
#pragma once

#include <Eigen/Core>

#include "sim/algorithms/algorithm_spec.hpp"

namespace sgdsim {

enum class OuterKind {
  slowmo,  // u ← βu + Δ/γ; x ← x_start − α·γ·u (Wang et al. 2020, Algorithm 1)
  diloco,  // m ← μm + Δ;   x ← x_start − η(Δ + μm), Nesterov (Douillard et al. 2023)
};

template <class Scalar>
class OuterOptimizer {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  OuterOptimizer(OuterKind kind, double lr, double momentum, Eigen::Index num_params)
      : kind_(kind), lr_(lr), momentum_(momentum), buffer_(Vector::Zero(num_params)) {}

  // The next round's starting model. `inner_lr` is γ of the round's last local step (slowmo
  // divides Δ by it, so that its momentum is in gradient units).
  Vector step(const Vector& start, const Vector& average, double inner_lr) {
    const Vector delta = start - average;
    const auto beta = static_cast<Scalar>(momentum_);
    if (kind_ == OuterKind::slowmo) {
      buffer_ = beta * buffer_ + delta / static_cast<Scalar>(inner_lr);
      return start - static_cast<Scalar>(lr_ * inner_lr) * buffer_;
    }
    buffer_ = beta * buffer_ + delta;
    return start - static_cast<Scalar>(lr_) * (delta + beta * buffer_);
  }

  const Vector& buffer() const { return buffer_; }

 private:
  OuterKind kind_;
  double lr_;
  double momentum_;
  Vector buffer_;
};

}  // namespace sgdsim
