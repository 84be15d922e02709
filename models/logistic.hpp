// Binary logistic regression: z = w·x + b, labels 0/1, loss = mean(softplus(z) − y·z), which is
// the cross-entropy −y·log σ(z) − (1−y)·log(1−σ(z)). Flat params: [w (d), b].
#pragma once

#include "models/objective.hpp"

namespace sgdsim {

template <class Scalar>
class Logistic final : public Objective<Scalar> {
 public:
  using typename Objective<Scalar>::Matrix;
  using typename Objective<Scalar>::Vector;

  explicit Logistic(Eigen::Index num_features);

  Eigen::Index num_params() const override { return num_features_ + 1; }
  // Throws std::invalid_argument when a target is not 0 or 1.
  Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                           const Eigen::Ref<const Vector>& targets, Vector& grad) const override;
  // Predicts class 1 iff z > 0.
  Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                      const Eigen::Ref<const Vector>& targets) const override;
  // 6·batch·d: see Mlp::flops_per_gradient for the convention.
  double flops_per_gradient(Eigen::Index batch) const override;
  // random: w ~ N(0, 0.01²) in index order, b = 0.
  Vector initial_params(bool random, Rng& rng) const override;

 private:
  // z = w·x + b for every sample, after checking shapes and labels.
  Vector margins(const Vector& params, const Eigen::Ref<const Matrix>& features,
                 const Eigen::Ref<const Vector>& targets) const;

  Eigen::Index num_features_;
};

extern template class Logistic<float>;
extern template class Logistic<double>;

}  // namespace sgdsim
