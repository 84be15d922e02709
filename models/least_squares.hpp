// Linear regression: pred = w·x + b, loss = mean ½(pred − y)². Flat params: [w (d), b].
#pragma once

#include "models/objective.hpp"

namespace sgdsim {

template <class Scalar>
class LeastSquares final : public Objective<Scalar> {
 public:
  using typename Objective<Scalar>::Matrix;
  using typename Objective<Scalar>::Vector;

  explicit LeastSquares(Eigen::Index num_features);

  Eigen::Index num_params() const override { return num_features_ + 1; }
  Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                           const Eigen::Ref<const Vector>& targets, Vector& grad) const override;
  // Accuracy is NaN: regression has no classes.
  Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                      const Eigen::Ref<const Vector>& targets) const override;
  // 6·batch·d: see Mlp::flops_per_gradient for the convention.
  double flops_per_gradient(Eigen::Index batch) const override;
  // random: w ~ N(0, 0.01²) in index order, b = 0.
  Vector initial_params(bool random, Rng& rng) const override;

 private:
  // Residuals pred − y of every sample.
  Vector residuals(const Vector& params, const Eigen::Ref<const Matrix>& features,
                   const Eigen::Ref<const Vector>& targets) const;

  Eigen::Index num_features_;
};

extern template class LeastSquares<float>;
extern template class LeastSquares<double>;

}  // namespace sgdsim
