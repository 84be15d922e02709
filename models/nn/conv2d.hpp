// 2-D convolution (cross-correlation, as PyTorch's Conv2d): square kernel k, stride s, zero
// padding p; output side ⌊(H + 2p − k)/s⌋ + 1. Params: weight [C_out][C_in][k][k] row-major, then
// the bias (C_out) if any. Computed as im2col·W for the whole batch; backward rebuilds the im2col
// matrix rather than keeping one per layer (it is the largest tensor of a step). In float32, where
// built with oneDNN (SGDSIM_HAVE_ONEDNN), its primitives compute the same thing about twice as
// fast on ResNet-20 (conv2d_onednn.hpp).
#pragma once

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

enum class ConvImplementation {
  fastest,  // oneDNN for float32 where built with it; otherwise im2col + Eigen
  eigen,    // im2col + Eigen always (tests compare the two)
};

template <class Scalar>
class Conv2d final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;

  // Throws std::invalid_argument when the kernel does not fit the padded input.
  Conv2d(ImageShape input, int channels, int kernel, int stride, int padding, bool bias,
         ConvImplementation implementation = ConvImplementation::fastest);

  Eigen::Index num_params() const override { return weights_ + (bias_ ? out_channels() : 0); }
  double forward_flops_per_sample() const override;
  // He normal N(0, 2/(C_in·k²)) weights (fan-in, for a relu after it), zero bias.
  void initialize(Scalar* params, Scalar* state, Rng* rng) const override;
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  Eigen::Index out_channels() const { return this->output_shape().channels; }
  Eigen::Index patch() const { return this->input_shape().channels * kernel_ * kernel_; }
  // A 1×1 kernel with stride 1 and no padding reads the input as it is.
  bool pointwise() const { return kernel_ == 1 && stride_ == 1 && padding_ == 0; }
  bool on_onednn() const;
  // (N·H_out·W_out) × (C_in·k²): row (n, y, x) holds the patch under output pixel (y, x).
  void im2col(const Mat& input, Mat& columns) const;
  // The adjoint of im2col: adds each patch entry back onto the input pixel it came from.
  void col2im(const Mat& columns, Mat& input_grad) const;

  int kernel_, stride_, padding_;
  bool bias_;
  ConvImplementation implementation_;
  Eigen::Index weights_;
};

}  // namespace sgdsim::nn
