#include "models/least_squares.hpp"

#include "models/batch_shape.hpp"

#include <stdexcept>
#include <string>

namespace sgdsim {
template <class Scalar>
LeastSquares<Scalar>::LeastSquares(Eigen::Index num_features) : num_features_(num_features) {
  if (num_features < 1) throw std::invalid_argument("least_squares: needs at least one feature");
}

template <class Scalar>
auto LeastSquares<Scalar>::residuals(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                     const Eigen::Ref<const Vector>& targets) const -> Vector {
  check_batch_shape("least_squares", params.size(), num_params(), features.rows(), num_features_,
                    features.cols(), targets.size());
  Vector r(features.cols());
  r.noalias() = features.transpose() * params.head(num_features_);
  r.array() += params[num_features_] - targets.array();
  return r;
}

template <class Scalar>
Scalar LeastSquares<Scalar>::loss_and_gradient(const Vector& params,
                                               const Eigen::Ref<const Matrix>& features,
                                               const Eigen::Ref<const Vector>& targets,
                                               Vector& grad) const {
  Vector r = residuals(params, features, targets);
  const Scalar inv_n = Scalar(1) / static_cast<Scalar>(features.cols());
  const Scalar loss = Scalar(0.5) * inv_n * r.squaredNorm();
  r *= inv_n;  // d(loss)/d(pred_i)
  grad.resize(num_params());
  grad.head(num_features_).noalias() = features * r;
  grad[num_features_] = r.sum();
  return loss;
}

template <class Scalar>
Evaluation LeastSquares<Scalar>::evaluate(const Vector& params,
                                          const Eigen::Ref<const Matrix>& features,
                                          const Eigen::Ref<const Vector>& targets) const {
  const Vector r = residuals(params, features, targets);
  Evaluation result;
  result.loss = 0.5 * static_cast<double>(r.squaredNorm()) / static_cast<double>(r.size());
  return result;
}

template <class Scalar>
double LeastSquares<Scalar>::flops_per_gradient(Eigen::Index batch) const {
  return 6.0 * static_cast<double>(batch) * static_cast<double>(num_features_);
}

template <class Scalar>
auto LeastSquares<Scalar>::initial_params(bool random, Rng& rng) const -> Vector {
  return linear_initial_params<Scalar>(num_params(), num_features_, random, rng);
}

template class LeastSquares<float>;
template class LeastSquares<double>;

}  // namespace sgdsim
