// A residual block: y = F(x) + S(x), F the block's layers and S its shortcut (identity; x
// subsampled and zero-padded in channels, He et al. 2016's option A; or a 1×1 convolution with
// batch norm, option B). The activation after the sum is a layer of its own, after the block.
// Params and state: F's, then S's.
#pragma once

#include "models/nn/layer_spec.hpp"
#include "models/nn/layer_stack.hpp"

namespace sgdsim::nn {

template <class Scalar>
class Residual final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;

  // Throws std::invalid_argument when the shortcut cannot produce the body's output shape
  // (identity: the same shape; pad: no fewer channels and a whole stride).
  Residual(LayerStack<Scalar> body, Shortcut shortcut);

  Eigen::Index num_params() const override { return body_.num_params() + shortcut_.num_params(); }
  Eigen::Index num_state() const override { return body_.num_state() + shortcut_.num_state(); }
  double forward_flops_per_sample() const override {
    return body_.forward_flops_per_sample() + shortcut_.forward_flops_per_sample();
  }
  void initialize(Scalar* params, Scalar* state, Rng* rng) const override;
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  LayerParams<Scalar> shortcut_params(const LayerParams<Scalar>& p) const {
    return p.offset(body_.num_params(), body_.num_state());
  }
  // Option A: every stride-th pixel of every stride-th row, channels placed from pad_before_.
  void pad_forward(const Mat& input, Mat& output) const;
  void pad_backward(const Mat& output_grad, Mat& input_grad) const;

  LayerStack<Scalar> body_;
  Shortcut kind_;
  LayerStack<Scalar> shortcut_;  // project: its convolution and batch norm; otherwise empty
  Eigen::Index stride_ = 1;
  Eigen::Index pad_before_ = 0;
};

}  // namespace sgdsim::nn
