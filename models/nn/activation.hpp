// Element-wise activations: relu max(x, 0) and tanh. Their derivatives are taken from the
// output (relu' = [y > 0], tanh' = 1 − y²), so backward needs no copy of the input.
#pragma once

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

enum class Elementwise { relu, tanh };

template <class Scalar>
class ActivationLayer final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;
  ActivationLayer(ImageShape input, Elementwise function)
      : Layer<Scalar>(input, input), function_(function) {}
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  Elementwise function_;
};

}  // namespace sgdsim::nn
