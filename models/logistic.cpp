#include "models/logistic.hpp"

#include "models/batch_shape.hpp"

#include <stdexcept>
#include <string>

namespace sgdsim {
namespace {

// softplus(z) − y·z with softplus(z) = max(z, 0) + log1p(e^−|z|), which never overflows.
template <class Scalar>
Scalar mean_cross_entropy(const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& z,
                          const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>& y) {
  const auto softplus = z.array().max(Scalar(0)) + (-z.array().abs()).exp().log1p();
  return (softplus - y.array() * z.array()).mean();
}

}  // namespace

template <class Scalar>
Logistic<Scalar>::Logistic(Eigen::Index num_features) : num_features_(num_features) {
  if (num_features < 1) throw std::invalid_argument("logistic: needs at least one feature");
}

template <class Scalar>
auto Logistic<Scalar>::margins(const Vector& params, const Eigen::Ref<const Matrix>& features,
                               const Eigen::Ref<const Vector>& targets) const -> Vector {
  check_batch_shape("logistic", params.size(), num_params(), features.rows(), num_features_,
                    features.cols(), targets.size());
  if (((targets.array() != Scalar(0)) && (targets.array() != Scalar(1))).any()) {
    throw std::invalid_argument("logistic: targets must be 0 or 1");
  }
  Vector z(features.cols());
  z.noalias() = features.transpose() * params.head(num_features_);
  z.array() += params[num_features_];
  return z;
}

template <class Scalar>
Scalar Logistic<Scalar>::loss_and_gradient(const Vector& params,
                                           const Eigen::Ref<const Matrix>& features,
                                           const Eigen::Ref<const Vector>& targets,
                                           Vector& grad) const {
  const Vector z = margins(params, features, targets);
  const Scalar loss = mean_cross_entropy<Scalar>(z, targets);

  // d(loss)/dz_i = (σ(z_i) − y_i)/n; σ from e^−|z| so neither branch overflows.
  const Eigen::Array<Scalar, Eigen::Dynamic, 1> e = (-z.array().abs()).exp();
  const Scalar inv_n = Scalar(1) / static_cast<Scalar>(z.size());
  const auto sigma =
      (z.array() >= Scalar(0)).select(Scalar(1) / (Scalar(1) + e), e / (Scalar(1) + e));
  const Vector dz = (inv_n * (sigma - targets.array())).matrix();
  grad.resize(num_params());
  grad.head(num_features_).noalias() = features * dz;
  grad[num_features_] = dz.sum();
  return loss;
}

template <class Scalar>
Evaluation Logistic<Scalar>::evaluate(const Vector& params,
                                      const Eigen::Ref<const Matrix>& features,
                                      const Eigen::Ref<const Vector>& targets) const {
  const Vector z = margins(params, features, targets);
  const auto predicted_one = z.array() > Scalar(0);
  const auto is_one = targets.array() == Scalar(1);
  Evaluation result;
  result.loss = static_cast<double>(mean_cross_entropy<Scalar>(z, targets));
  result.accuracy =
      static_cast<double>((predicted_one == is_one).count()) / static_cast<double>(z.size());
  return result;
}

template <class Scalar>
double Logistic<Scalar>::flops_per_gradient(Eigen::Index batch) const {
  return 6.0 * static_cast<double>(batch) * static_cast<double>(num_features_);
}

template <class Scalar>
auto Logistic<Scalar>::initial_params(bool random, Rng& rng) const -> Vector {
  return linear_initial_params<Scalar>(num_params(), num_features_, random, rng);
}

template class Logistic<float>;
template class Logistic<double>;

}  // namespace sgdsim
