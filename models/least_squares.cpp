#include "models/least_squares.hpp"

#include <stdexcept>
#include <string>

namespace sgdsim {
namespace {

void check_batch(Eigen::Index num_params, Eigen::Index expected_params, Eigen::Index rows,
                 Eigen::Index num_features, Eigen::Index cols, Eigen::Index num_targets) {
  if (num_params != expected_params || rows != num_features || cols != num_targets || cols == 0) {
    throw std::invalid_argument(
        "least_squares: expected " + std::to_string(expected_params) + " params and a non-empty " +
        std::to_string(num_features) + "-row batch with one target per column; got " +
        std::to_string(num_params) + " params, " + std::to_string(rows) + "×" +
        std::to_string(cols) + " features, " + std::to_string(num_targets) + " targets");
  }
}

}  // namespace

template <class Scalar>
LeastSquares<Scalar>::LeastSquares(Eigen::Index num_features) : num_features_(num_features) {
  if (num_features < 1) throw std::invalid_argument("least_squares: needs at least one feature");
}

template <class Scalar>
auto LeastSquares<Scalar>::residuals(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                     const Eigen::Ref<const Vector>& targets) const -> Vector {
  check_batch(params.size(), num_params(), features.rows(), num_features_, features.cols(),
              targets.size());
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
  Vector params = Vector::Zero(num_params());
  if (random) {
    for (Eigen::Index i = 0; i < num_features_; ++i) {
      params[i] = static_cast<Scalar>(0.01 * rng.normal());
    }
  }
  return params;
}

template class LeastSquares<float>;
template class LeastSquares<double>;

}  // namespace sgdsim
