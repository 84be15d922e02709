// Batch normalisation per channel (PyTorch's BatchNorm2d, and BatchNorm1d after a dense layer):
// y = γ·(x − μ)/√(σ² + ε) + β over the batch's N·H·W values of each channel. Params: γ, then β.
// Model state: the running mean, then the running variance (PyTorch's running_mean and
// running_var; its num_batches_tracked is not needed with a fixed momentum).
//
// Training normalises with the batch's mean and biased variance and moves the running
// statistics: running ← (1 − m)·running + m·batch, with the unbiased variance, as PyTorch does.
// Inference normalises with the running statistics. A replica's running statistics are averaged
// with its parameters at every round (they are part of the flat model vector).
#pragma once

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

template <class Scalar>
class BatchNorm final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;

  BatchNorm(ImageShape input, double momentum, double epsilon);

  Eigen::Index num_params() const override { return 2 * channels(); }
  Eigen::Index num_state() const override { return 2 * channels(); }
  // γ = 1, β = 0; running mean 0, running variance 1.
  void initialize(Scalar* params, Scalar* state, Rng* rng) const override;
  // Training needs more than one value per channel (N·H·W > 1) for a variance.
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  Eigen::Index channels() const { return this->input_shape().channels; }

  double momentum_;
  double epsilon_;
};

}  // namespace sgdsim::nn
