// Multinomial logistic regression: logits = W·x + b, mean cross-entropy against class indices.
// Flat params: [W (C × d, column-major), b (C)].
#pragma once

#include "models/objective.hpp"

namespace sgdsim {

template <class Scalar>
class Softmax final : public Objective<Scalar> {
 public:
  using typename Objective<Scalar>::Matrix;
  using typename Objective<Scalar>::Vector;

  Softmax(Eigen::Index num_features, int num_classes);

  Eigen::Index num_params() const override { return (num_features_ + 1) * num_classes_; }
  // Throws std::invalid_argument when a target is not a class index in [0, C).
  Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                           const Eigen::Ref<const Vector>& targets, Vector& grad) const override;
  Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                      const Eigen::Ref<const Vector>& targets) const override;
  // 6·batch·d·C: see Mlp::flops_per_gradient for the convention.
  double flops_per_gradient(Eigen::Index batch) const override;
  // random: W ~ N(0, 0.01²) in flat (column-major) order, b = 0.
  Vector initial_params(bool random, Rng& rng) const override;

 private:
  Matrix logits(const Vector& params, const Eigen::Ref<const Matrix>& features,
                const Eigen::Ref<const Vector>& targets) const;

  Eigen::Index num_features_;
  Eigen::Index num_classes_;
};

extern template class Softmax<float>;
extern template class Softmax<double>;

// Softmax cross-entropy of C × b logits against class indices, shared with Mlp. Returns the mean
// loss and overwrites `logits` with its gradient (softmax(logits) − onehot(target)) / b.
// Throws std::invalid_argument when a target is not a class index in [0, C).
template <class Scalar>
Scalar softmax_cross_entropy_backward(
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& logits,
    const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>& targets);

// Mean softmax cross-entropy and the fraction of columns whose arg-max (ties: lowest class) is
// the target.
template <class Scalar>
Evaluation softmax_cross_entropy_evaluate(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& logits,
    const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>& targets);

}  // namespace sgdsim
