#include "models/softmax.hpp"

#include "models/batch_shape.hpp"
#include "models/products/matrix_product.hpp"

#include <stdexcept>
#include <string>

namespace sgdsim {
namespace {

template <class Scalar>
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

template <class Scalar>
Eigen::Index class_index(Scalar target, Eigen::Index num_classes) {
  const auto k = static_cast<Eigen::Index>(target);
  if (!(target >= Scalar(0) && target < static_cast<Scalar>(num_classes)) ||
      static_cast<Scalar>(k) != target) {
    throw std::invalid_argument("softmax cross-entropy: target " + std::to_string(target) +
                                " is not a class index in [0, " + std::to_string(num_classes) +
                                ")");
  }
  return k;
}

}  // namespace

template <class Scalar>
Scalar softmax_cross_entropy_backward(
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& logits,
    const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>& targets) {
  const Eigen::Index n = logits.cols();
  const Scalar inv_n = Scalar(1) / static_cast<Scalar>(n);
  // Shifting each column by its max keeps exp() ≤ 1 without changing the softmax.
  const RowVector<Scalar> col_max = logits.colwise().maxCoeff();
  Scalar target_logits = 0;  // Σ of shifted target logits
  for (Eigen::Index i = 0; i < n; ++i) {
    target_logits += logits(class_index(targets[i], logits.rows()), i) - col_max[i];
  }
  logits = (logits.rowwise() - col_max).array().exp().matrix();
  const RowVector<Scalar> sums = logits.colwise().sum();
  const Scalar loss = inv_n * (sums.array().log().sum() - target_logits);

  const RowVector<Scalar> scale = inv_n / sums.array();
  logits.array().rowwise() *= scale.array();
  for (Eigen::Index i = 0; i < n; ++i) {
    logits(static_cast<Eigen::Index>(targets[i]), i) -= inv_n;
  }
  return loss;
}

template <class Scalar>
Evaluation softmax_cross_entropy_evaluate(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& logits,
    const Eigen::Ref<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>& targets) {
  const Eigen::Index n = logits.cols();
  const RowVector<Scalar> col_max = logits.colwise().maxCoeff();
  // loss_i = log Σ_c e^(l_c − max) − (l_target − max)
  const RowVector<Scalar> log_sums =
      (logits.rowwise() - col_max).array().exp().matrix().colwise().sum().array().log().matrix();
  double total_loss = 0.0;
  Eigen::Index correct = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index k = class_index(targets[i], logits.rows());
    total_loss += static_cast<double>(log_sums[i] - (logits(k, i) - col_max[i]));
    Eigen::Index predicted = 0;
    logits.col(i).maxCoeff(&predicted);
    correct += predicted == k;
  }
  Evaluation result;
  result.loss = total_loss / static_cast<double>(n);
  result.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  return result;
}

template <class Scalar>
Softmax<Scalar>::Softmax(Eigen::Index num_features, int num_classes)
    : num_features_(num_features), num_classes_(num_classes) {
  if (num_features < 1) throw std::invalid_argument("softmax: needs at least one feature");
  if (num_classes < 2) throw std::invalid_argument("softmax: needs at least two classes");
}

template <class Scalar>
auto Softmax<Scalar>::logits(const Vector& params, const Eigen::Ref<const Matrix>& features,
                             const Eigen::Ref<const Vector>& targets) const -> Matrix {
  check_batch_shape("softmax", params.size(), num_params(), features.rows(), num_features_,
                    features.cols(), targets.size());
  const Eigen::Map<const Matrix> weights(params.data(), num_classes_, num_features_);
  Matrix result(num_classes_, features.cols());
  multiply<Scalar>(weights, features, result);
  result.colwise() += params.tail(num_classes_);
  return result;
}

template <class Scalar>
Scalar Softmax<Scalar>::loss_and_gradient(const Vector& params,
                                          const Eigen::Ref<const Matrix>& features,
                                          const Eigen::Ref<const Vector>& targets,
                                          Vector& grad) const {
  Matrix delta = logits(params, features, targets);
  const Scalar loss = softmax_cross_entropy_backward<Scalar>(delta, targets);
  grad.resize(num_params());
  Eigen::Map<Matrix> grad_weights(grad.data(), num_classes_, num_features_);
  multiply<Scalar>(delta, features, grad_weights, Transposed::rhs);
  grad.tail(num_classes_) = delta.rowwise().sum();
  return loss;
}

template <class Scalar>
Evaluation Softmax<Scalar>::evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                     const Eigen::Ref<const Vector>& targets) const {
  return softmax_cross_entropy_evaluate<Scalar>(logits(params, features, targets), targets);
}

template <class Scalar>
double Softmax<Scalar>::flops_per_gradient(Eigen::Index batch) const {
  return 6.0 * static_cast<double>(batch) * static_cast<double>(num_features_ * num_classes_);
}

template <class Scalar>
auto Softmax<Scalar>::initial_params(bool random, Rng& rng) const -> Vector {
  return linear_initial_params<Scalar>(num_params(), num_features_ * num_classes_, random, rng);
}

template class Softmax<float>;
template class Softmax<double>;

template float softmax_cross_entropy_backward<float>(
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>&,
    const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, 1>>&);
template double softmax_cross_entropy_backward<double>(
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>&,
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 1>>&);
template Evaluation softmax_cross_entropy_evaluate<float>(
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>&,
    const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, 1>>&);
template Evaluation softmax_cross_entropy_evaluate<double>(
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>&,
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 1>>&);

}  // namespace sgdsim
