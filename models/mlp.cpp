#include "models/mlp.hpp"

#include "models/batch_shape.hpp"
#include "models/products/matrix_product.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/softmax.hpp"

namespace sgdsim {
template <class Scalar>
Mlp<Scalar>::Mlp(Eigen::Index num_features, const std::vector<int>& hidden, int num_classes,
                 Activation activation)
    : activation_(activation) {
  if (num_features < 1) throw std::invalid_argument("mlp: needs at least one feature");
  if (num_classes < 2) throw std::invalid_argument("mlp: needs at least two classes");
  widths_.push_back(num_features);
  for (int width : hidden) {
    if (width < 1) {
      throw std::invalid_argument("mlp: hidden layer widths must be >= 1, got " +
                                  std::to_string(width));
    }
    widths_.push_back(width);
  }
  widths_.push_back(num_classes);
  for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
    offsets_.push_back(num_params_);
    num_params_ += (widths_[l] + 1) * widths_[l + 1];
  }
}

template <class Scalar>
auto Mlp<Scalar>::forward(const Vector& params, const Eigen::Ref<const Matrix>& features,
                          const Eigen::Ref<const Vector>& targets,
                          std::vector<Matrix>& hidden_outputs) const -> Matrix {
  check_batch_shape("mlp", params.size(), num_params_, features.rows(), widths_.front(),
                    features.cols(), targets.size());
  const std::size_t num_layers = offsets_.size();
  hidden_outputs.clear();
  hidden_outputs.reserve(num_layers - 1);
  for (std::size_t l = 0;; ++l) {
    const Eigen::Index in = widths_[l], out = widths_[l + 1];
    const Eigen::Map<const Matrix> weights(params.data() + offsets_[l], out, in);
    Matrix z(out, features.cols());
    if (l == 0) {
      multiply<Scalar>(weights, features, z);
    } else {
      multiply<Scalar>(weights, hidden_outputs.back(), z);
    }
    z.colwise() += params.segment(offsets_[l] + out * in, out);
    if (l + 1 == num_layers) return z;
    if (activation_ == Activation::relu) {
      z = z.cwiseMax(Scalar(0));
    } else {
      z = z.array().tanh().matrix();
    }
    hidden_outputs.push_back(std::move(z));
  }
}

template <class Scalar>
Scalar Mlp<Scalar>::loss_and_gradient(const Vector& params,
                                      const Eigen::Ref<const Matrix>& features,
                                      const Eigen::Ref<const Vector>& targets, Vector& grad) const {
  std::vector<Matrix> hidden_outputs;
  Matrix delta = forward(params, features, targets, hidden_outputs);  // becomes d(loss)/d(z_l)
  const Scalar loss = softmax_cross_entropy_backward<Scalar>(delta, targets);

  grad.resize(num_params_);
  for (std::size_t l = offsets_.size(); l-- > 0;) {
    const Eigen::Index in = widths_[l], out = widths_[l + 1];
    Eigen::Map<Matrix> grad_weights(grad.data() + offsets_[l], out, in);
    if (l == 0) {
      multiply<Scalar>(delta, features, grad_weights, Transposed::rhs);
    } else {
      multiply<Scalar>(delta, hidden_outputs[l - 1], grad_weights, Transposed::rhs);
    }
    grad.segment(offsets_[l] + out * in, out) = delta.rowwise().sum();
    if (l == 0) break;

    const Eigen::Map<const Matrix> weights(params.data() + offsets_[l], out, in);
    Matrix delta_in(in, delta.cols());
    multiply<Scalar>(weights, delta, delta_in, Transposed::lhs);
    // Activation derivative from its output a: relu' = [a > 0]; tanh' = 1 − a².
    const Matrix& activated = hidden_outputs[l - 1];
    if (activation_ == Activation::relu) {
      delta_in = (activated.array() > Scalar(0)).select(delta_in, Scalar(0));
    } else {
      delta_in.array() *= Scalar(1) - activated.array().square();
    }
    delta = std::move(delta_in);
  }
  return loss;
}

template <class Scalar>
Evaluation Mlp<Scalar>::evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                                 const Eigen::Ref<const Vector>& targets) const {
  std::vector<Matrix> hidden_outputs;
  return softmax_cross_entropy_evaluate<Scalar>(forward(params, features, targets, hidden_outputs),
                                                targets);
}

template <class Scalar>
double Mlp<Scalar>::flops_per_gradient(Eigen::Index batch) const {
  double weights = 0.0;
  for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
    weights += static_cast<double>(widths_[l]) * static_cast<double>(widths_[l + 1]);
  }
  return 6.0 * static_cast<double>(batch) * weights;
}

template <class Scalar>
auto Mlp<Scalar>::initial_params(bool random, Rng& rng) const -> Vector {
  Vector params = Vector::Zero(num_params_);
  if (!random) return params;
  for (std::size_t l = 0; l < offsets_.size(); ++l) {
    const Eigen::Index in = widths_[l], out = widths_[l + 1];
    const double fan_in = static_cast<double>(in), fan_out = static_cast<double>(out);
    for (Eigen::Index i = offsets_[l]; i < offsets_[l] + out * in; ++i) {
      if (activation_ == Activation::relu) {
        params[i] = static_cast<Scalar>(std::sqrt(2.0 / fan_in) * rng.normal());
      } else {
        const double limit = std::sqrt(6.0 / (fan_in + fan_out));
        params[i] = static_cast<Scalar>(limit * (2.0 * rng.uniform() - 1.0));
      }
    }
  }
  return params;
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace sgdsim
