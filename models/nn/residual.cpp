#include "models/nn/residual.hpp"

#include <stdexcept>
#include <string>

#include "models/nn/batch_norm.hpp"
#include "models/nn/conv2d.hpp"

namespace sgdsim::nn {
namespace {

std::string shape_text(const ImageShape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

}  // namespace

template <class Scalar>
Residual<Scalar>::Residual(LayerStack<Scalar> body, Shortcut shortcut)
    : Layer<Scalar>(body.input_shape(), body.output_shape()),
      body_(std::move(body)),
      kind_(shortcut),
      shortcut_(this->input_shape()) {
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  if (kind_ == Shortcut::identity) {
    if (!(in == out)) {
      throw std::invalid_argument("the layers turn " + shape_text(in) + " into " + shape_text(out) +
                                  "; an identity shortcut needs the same shape "
                                  "(use shortcut pad or project)");
    }
    return;
  }
  // The body's spatial reduction must be a whole stride, as a strided convolution gives.
  stride_ = (in.height + out.height - 1) / out.height;
  if ((in.height - 1) / stride_ + 1 != out.height || (in.width - 1) / stride_ + 1 != out.width) {
    throw std::invalid_argument("no stride takes " + shape_text(in) + " to " + shape_text(out) +
                                " for the shortcut");
  }
  if (kind_ == Shortcut::pad) {
    if (out.channels < in.channels) {
      throw std::invalid_argument("shortcut pad cannot reduce " + std::to_string(in.channels) +
                                  " channels to " + std::to_string(out.channels) +
                                  " (use shortcut project)");
    }
    pad_before_ = (out.channels - in.channels) / 2;
    return;
  }
  shortcut_.add(std::make_unique<Conv2d<Scalar>>(in, static_cast<int>(out.channels), 1,
                                                 static_cast<int>(stride_), 0, false));
  shortcut_.add(std::make_unique<BatchNorm<Scalar>>(shortcut_.output_shape(), 0.1, 1e-5));
}

template <class Scalar>
void Residual<Scalar>::initialize(Scalar* params, Scalar* state, Rng* rng) const {
  body_.initialize(params, state, rng);
  shortcut_.initialize(params + body_.num_params(), state + body_.num_state(), rng);
}

template <class Scalar>
void Residual<Scalar>::pad_forward(const Mat& input, Mat& output) const {
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index batch = input.rows() / in_plane;
  output.setZero(batch * out_plane, out.channels);
  for (Eigen::Index c = 0; c < in.channels; ++c) {
    for (Eigen::Index n = 0; n < batch; ++n) {
      const Scalar* source = input.col(c).data() + n * in_plane;
      Scalar* target = output.col(pad_before_ + c).data() + n * out_plane;
      for (Eigen::Index y = 0; y < out.height; ++y) {
        for (Eigen::Index x = 0; x < out.width; ++x) {
          target[y * out.width + x] = source[y * stride_ * in.width + x * stride_];
        }
      }
    }
  }
}

template <class Scalar>
void Residual<Scalar>::pad_backward(const Mat& output_grad, Mat& input_grad) const {
  const ImageShape &in = this->input_shape(), &out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index batch = output_grad.rows() / out_plane;
  for (Eigen::Index c = 0; c < in.channels; ++c) {
    for (Eigen::Index n = 0; n < batch; ++n) {
      const Scalar* source = output_grad.col(pad_before_ + c).data() + n * out_plane;
      Scalar* target = input_grad.col(c).data() + n * in_plane;
      for (Eigen::Index y = 0; y < out.height; ++y) {
        for (Eigen::Index x = 0; x < out.width; ++x) {
          target[y * stride_ * in.width + x * stride_] += source[y * out.width + x];
        }
      }
    }
  }
}

// tape.inner: the body's tapes, then the shortcut's; tape.saved: the shortcut's output (pad).
template <class Scalar>
void Residual<Scalar>::forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
                               Tape<Scalar>& tape) const {
  std::vector<Tape<Scalar>>& tapes = tape.inner;
  tapes.resize(2);
  tape.output = body_.forward(p, input, mode, tapes[0].inner);
  if (kind_ == Shortcut::identity) {
    tape.output += input;
  } else if (kind_ == Shortcut::pad) {
    pad_forward(input, tape.saved);
    tape.output += tape.saved;
  } else {
    tape.output += shortcut_.forward(shortcut_params(p), input, mode, tapes[1].inner);
  }
}

template <class Scalar>
void Residual<Scalar>::backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                                Mat& output_grad, Scalar* grad, Mat* input_grad) const {
  std::vector<Tape<Scalar>>& tapes = tape.inner;
  Mat shortcut_grad;  // d(loss)/d(y) also reaches x through the shortcut
  if (kind_ == Shortcut::project) {
    Mat copy = output_grad;
    shortcut_.backward(shortcut_params(p), input, tapes[1].inner, copy, grad + body_.num_params(),
                       input_grad ? &shortcut_grad : nullptr);
  } else if (input_grad && kind_ == Shortcut::identity) {
    shortcut_grad = output_grad;
  }
  Mat body_grad = output_grad;
  body_.backward(p, input, tapes[0].inner, body_grad, grad, input_grad);
  if (!input_grad) return;
  if (kind_ == Shortcut::pad) {
    pad_backward(output_grad, *input_grad);
  } else {
    *input_grad += shortcut_grad;
  }
}

template class Residual<float>;
template class Residual<double>;

}  // namespace sgdsim::nn
