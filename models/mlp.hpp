// Multi-layer perceptron classifier: d → hidden[0] → … → C, relu or tanh on the hidden layers,
// softmax cross-entropy on the output. With no hidden layers it is softmax regression, with the
// same parameter layout as Softmax.
//
// Flat params, layer after layer: W_l (out × in, column-major), then b_l (out).
#pragma once

#include <vector>

#include "models/model_spec.hpp"
#include "models/objective.hpp"

namespace sgdsim {

template <class Scalar>
class Mlp final : public Objective<Scalar> {
 public:
  using typename Objective<Scalar>::Matrix;
  using typename Objective<Scalar>::Vector;

  // Throws std::invalid_argument unless num_features ≥ 1, every width ≥ 1 and num_classes ≥ 2.
  Mlp(Eigen::Index num_features, const std::vector<int>& hidden, int num_classes,
      Activation activation);

  Eigen::Index num_params() const override { return num_params_; }
  // Throws std::invalid_argument when a target is not a class index in [0, C).
  Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                           const Eigen::Ref<const Vector>& targets, Vector& grad) const override;
  Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                      const Eigen::Ref<const Vector>& targets) const override;
  // Matrix products only, a multiply-add counted as 2 flops: the forward pass costs
  // 2·batch·Σ in·out; the backward pass twice that (dW = δ·Aᵀ and δ_prev = Wᵀ·δ), so 6·batch·Σ
  // in·out. Biases, activations, the softmax and the unneeded input gradient of layer 0 are
  // ignored.
  double flops_per_gradient(Eigen::Index batch) const override;
  // random, per layer in order, W in flat order: relu → He normal N(0, 2/in); tanh → Glorot
  // uniform U(±√(6/(in+out))). The output layer uses the hidden activation's scheme. Biases 0.
  Vector initial_params(bool random, Rng& rng) const override;

 private:
  // Logits of the batch; `hidden_outputs` receives each hidden layer's post-activation output.
  Matrix forward(const Vector& params, const Eigen::Ref<const Matrix>& features,
                 const Eigen::Ref<const Vector>& targets,
                 std::vector<Matrix>& hidden_outputs) const;

  std::vector<Eigen::Index> widths_;   // d, hidden..., C
  std::vector<Eigen::Index> offsets_;  // start of W_l in the flat params
  Activation activation_;
  Eigen::Index num_params_ = 0;
};

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace sgdsim
