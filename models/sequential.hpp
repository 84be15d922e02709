// A network of layers (models/nn/) on image or vector samples, with softmax cross-entropy on its
// last layer's C outputs: `model: {kind: sequential, layers: [...]}` and the presets lenet5,
// resnet8 and resnet20.
//
// Flat params: every layer's parameters in order (PyTorch's layouts, see models/nn/layer.hpp),
// then every batch-norm layer's running mean and variance (the model state).
#pragma once

#include <vector>

#include "models/nn/layer_spec.hpp"
#include "models/nn/layer_stack.hpp"
#include "models/objective.hpp"

namespace sgdsim {

template <class Scalar>
class Sequential final : public Objective<Scalar> {
 public:
  using typename Objective<Scalar>::Matrix;
  using typename Objective<Scalar>::Vector;

  // A batch larger than this is processed in parts of this size, to bound the memory a pass keeps
  // for its backward pass (a ResNet-20 keeps ≈ 2 MB per sample); batch norm's statistics are then
  // those of each part. Training batches up to this size are exact.
  static constexpr Eigen::Index kMaxPassBatch = 128;

  // Throws std::invalid_argument when a layer does not fit (see nn::build_layers) or the last
  // layer does not give num_classes ≥ 2 outputs.
  Sequential(ImageShape input, const std::vector<nn::LayerSpec>& layers, int num_classes);

  Eigen::Index num_params() const override { return layers_.num_params() + layers_.num_state(); }
  Eigen::Index num_state() const override { return layers_.num_state(); }
  // Training mode (batch statistics), the state left as it is.
  Scalar loss_and_gradient(const Vector& params, const Eigen::Ref<const Matrix>& features,
                           const Eigen::Ref<const Vector>& targets, Vector& grad) const override;
  Scalar training_loss_and_gradient(Vector& params, const Eigen::Ref<const Matrix>& features,
                                    const Eigen::Ref<const Vector>& targets,
                                    Vector& grad) const override;
  // Inference mode (running statistics).
  Evaluation evaluate(const Vector& params, const Eigen::Ref<const Matrix>& features,
                      const Eigen::Ref<const Vector>& targets) const override;
  // 3 × the forward pass's 2·(multiply-adds) of its convolutions and dense layers: the backward
  // pass costs twice the forward one (input and weight gradients), the convention of
  // Mlp::flops_per_gradient. Pooling, normalisation and activations are not counted.
  double flops_per_gradient(Eigen::Index batch) const override;
  // Each layer's own scheme (He normal weights, zero biases; batch norm γ = 1, β = 0, running
  // mean 0, variance 1); `random` false: zero weights, the rest as before (the scenario loader
  // refuses it: every unit of a layer would stay identical).
  Vector initial_params(bool random, Rng& rng) const override;

  const nn::LayerStack<Scalar>& layers() const { return layers_; }

 private:
  // Mean loss over the batch in training mode and its gradient; the state moves into `new_state`
  // unless it is null.
  Scalar pass(const Vector& params, Scalar* new_state, const Eigen::Ref<const Matrix>& features,
              const Eigen::Ref<const Vector>& targets, Vector& grad) const;

  nn::LayerStack<Scalar> layers_;
};

extern template class Sequential<float>;
extern template class Sequential<double>;

}  // namespace sgdsim
