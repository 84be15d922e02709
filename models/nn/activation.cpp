#include "models/nn/activation.hpp"

namespace sgdsim::nn {

template <class Scalar>
void ActivationLayer<Scalar>::forward(const LayerParams<Scalar>&, const Mat& input, Mode,
                                      Tape<Scalar>& tape) const {
  if (function_ == Elementwise::relu) {
    tape.output = input.cwiseMax(Scalar(0));
  } else {
    tape.output = input.array().tanh().matrix();
  }
}

template <class Scalar>
void ActivationLayer<Scalar>::backward(const LayerParams<Scalar>&, const Mat&, Tape<Scalar>& tape,
                                       Mat& output_grad, Scalar*, Mat* input_grad) const {
  if (!input_grad) return;
  if (function_ == Elementwise::relu) {
    *input_grad = (tape.output.array() > Scalar(0)).select(output_grad, Scalar(0));
  } else {
    *input_grad = output_grad.array() * (Scalar(1) - tape.output.array().square());
  }
}

template class ActivationLayer<float>;
template class ActivationLayer<double>;

}  // namespace sgdsim::nn
