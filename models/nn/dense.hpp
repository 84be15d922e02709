// Fully connected layer on C×1×1 inputs (a flatten layer comes first otherwise): y = W·x + b.
// Params: weight [units][C] row-major (PyTorch's Linear), then the bias.
#pragma once

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

template <class Scalar>
class Dense final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;

  // Throws std::invalid_argument unless the input is C×1×1 and units ≥ 1.
  Dense(ImageShape input, int units, bool bias);

  Eigen::Index num_params() const override { return weights_ + (bias_ ? units() : 0); }
  double forward_flops_per_sample() const override { return 2.0 * static_cast<double>(weights_); }
  // He normal N(0, 2/C) weights, zero bias (as Conv2d).
  void initialize(Scalar* params, Scalar* state, Rng* rng) const override;
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  Eigen::Index units() const { return this->output_shape().channels; }

  bool bias_;
  Eigen::Index weights_;
};

// C×H×W → (C·H·W)×1×1 in PyTorch's flatten order (channel, row, column).
template <class Scalar>
class Flatten final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;
  explicit Flatten(ImageShape input) : Layer<Scalar>(input, {input.size(), 1, 1}) {}
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;
};

}  // namespace sgdsim::nn
