#include "models/nn/conv2d.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "models/products/matrix_product.hpp"

#ifdef SGDSIM_HAVE_ONEDNN
#include "models/nn/conv2d_onednn.hpp"
#endif

namespace sgdsim::nn {
namespace {

Eigen::Index output_side(Eigen::Index side, int kernel, int stride, int padding) {
  return (side + 2 * padding - kernel) / stride + 1;
}

ImageShape conv_output(ImageShape in, int channels, int kernel, int stride, int padding) {
  if (channels < 1 || kernel < 1 || stride < 1 || padding < 0) {
    throw std::invalid_argument("conv2d needs channels, kernel and stride >= 1 and padding >= 0");
  }
  if (in.height + 2 * padding < kernel || in.width + 2 * padding < kernel) {
    throw std::invalid_argument("a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                                " kernel does not fit the " + std::to_string(in.height) + "x" +
                                std::to_string(in.width) + " input with padding " +
                                std::to_string(padding));
  }
  return {channels, output_side(in.height, kernel, stride, padding),
          output_side(in.width, kernel, stride, padding)};
}

// Scratch for the im2col matrix, one per thread: the objective is shared by workers on
// different threads, and a fresh allocation per call would fault in tens of MB every step.
template <class Scalar>
Matrix<Scalar>& columns_scratch() {
  thread_local Matrix<Scalar> columns;
  return columns;
}

// Output positions o whose input coordinate o·s − p + offset lies in [0, side).
struct ValidRange {
  Eigen::Index first, last;  // [first, last)
};
ValidRange valid_outputs(Eigen::Index side, Eigen::Index outputs, int stride, int padding,
                         int offset) {
  const Eigen::Index shift = padding - offset;  // input = o·s − shift
  Eigen::Index first = shift > 0 ? (shift + stride - 1) / stride : 0;
  Eigen::Index last = shift + side - 1 >= 0 ? (shift + side - 1) / stride + 1 : 0;
  first = std::min(first, outputs);
  last = std::clamp(last, first, outputs);
  return {first, last};
}

}  // namespace

template <class Scalar>
Conv2d<Scalar>::Conv2d(ImageShape input, int channels, int kernel, int stride, int padding,
                       bool bias, ConvImplementation implementation)
    : Layer<Scalar>(input, conv_output(input, channels, kernel, stride, padding)),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      bias_(bias),
      implementation_(implementation),
      weights_(static_cast<Eigen::Index>(channels) * input.channels * kernel * kernel) {}

template <class Scalar>
bool Conv2d<Scalar>::on_onednn() const {
#ifdef SGDSIM_HAVE_ONEDNN
  return std::is_same_v<Scalar, float> && implementation_ == ConvImplementation::fastest;
#else
  static_cast<void>(implementation_);
  return false;
#endif
}

#ifdef SGDSIM_HAVE_ONEDNN
namespace {
onednn::ConvGeometry geometry_of(const ImageShape& in, const ImageShape& out, Eigen::Index batch,
                                 int kernel, int stride, int padding, bool bias) {
  return {batch,     in.channels, in.height, in.width, out.channels, out.height,
          out.width, kernel,      stride,    padding,  bias};
}
}  // namespace
#endif

template <class Scalar>
double Conv2d<Scalar>::forward_flops_per_sample() const {
  return 2.0 * static_cast<double>(plane_size(this->output_shape())) *
         static_cast<double>(weights_);
}

template <class Scalar>
void Conv2d<Scalar>::initialize(Scalar* params, Scalar*, Rng* rng) const {
  const double scale = std::sqrt(2.0 / static_cast<double>(patch()));
  for (Eigen::Index i = 0; i < weights_; ++i)
    params[i] = rng ? static_cast<Scalar>(scale * rng->normal()) : Scalar(0);
  if (bias_) std::fill(params + weights_, params + weights_ + out_channels(), Scalar(0));
}

template <class Scalar>
void Conv2d<Scalar>::im2col(const Mat& input, Mat& columns) const {
  const ImageShape& in = this->input_shape();
  const ImageShape& out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index batch = input.rows() / in_plane;
  columns.resize(batch * out_plane, patch());
  for (Eigen::Index c = 0; c < in.channels; ++c) {
    const Scalar* source = input.col(c).data();
    for (int ky = 0; ky < kernel_; ++ky) {
      const ValidRange rows = valid_outputs(in.height, out.height, stride_, padding_, ky);
      for (int kx = 0; kx < kernel_; ++kx) {
        const ValidRange cols = valid_outputs(in.width, out.width, stride_, padding_, kx);
        Scalar* target = columns.col((c * kernel_ + ky) * kernel_ + kx).data();
        for (Eigen::Index n = 0; n < batch; ++n) {
          const Scalar* image = source + n * in_plane;
          Scalar* patch_column = target + n * out_plane;
          for (Eigen::Index y = 0; y < out.height; ++y) {
            Scalar* row = patch_column + y * out.width;
            if (y < rows.first || y >= rows.last) {
              std::fill(row, row + out.width, Scalar(0));
              continue;
            }
            const Scalar* line = image + (y * stride_ - padding_ + ky) * in.width;
            std::fill(row, row + cols.first, Scalar(0));
            for (Eigen::Index x = cols.first; x < cols.last; ++x) {
              row[x] = line[x * stride_ - padding_ + kx];
            }
            std::fill(row + cols.last, row + out.width, Scalar(0));
          }
        }
      }
    }
  }
}

template <class Scalar>
void Conv2d<Scalar>::col2im(const Mat& columns, Mat& input_grad) const {
  const ImageShape& in = this->input_shape();
  const ImageShape& out = this->output_shape();
  const Eigen::Index in_plane = plane_size(in), out_plane = plane_size(out);
  const Eigen::Index batch = columns.rows() / out_plane;
  input_grad.setZero(batch * in_plane, in.channels);
  for (Eigen::Index c = 0; c < in.channels; ++c) {
    Scalar* target = input_grad.col(c).data();
    for (int ky = 0; ky < kernel_; ++ky) {
      const ValidRange rows = valid_outputs(in.height, out.height, stride_, padding_, ky);
      for (int kx = 0; kx < kernel_; ++kx) {
        const ValidRange cols = valid_outputs(in.width, out.width, stride_, padding_, kx);
        const Scalar* source = columns.col((c * kernel_ + ky) * kernel_ + kx).data();
        for (Eigen::Index n = 0; n < batch; ++n) {
          Scalar* image = target + n * in_plane;
          const Scalar* patch_column = source + n * out_plane;
          for (Eigen::Index y = rows.first; y < rows.last; ++y) {
            const Scalar* row = patch_column + y * out.width;
            Scalar* line = image + (y * stride_ - padding_ + ky) * in.width;
            for (Eigen::Index x = cols.first; x < cols.last; ++x) {
              line[x * stride_ - padding_ + kx] += row[x];
            }
          }
        }
      }
    }
  }
}

template <class Scalar>
void Conv2d<Scalar>::forward(const LayerParams<Scalar>& p, const Mat& input, Mode,
                             Tape<Scalar>& tape) const {
#ifdef SGDSIM_HAVE_ONEDNN
  if constexpr (std::is_same_v<Scalar, float>) {
    if (on_onednn()) {
      const Eigen::Index batch = input.rows() / plane_size(this->input_shape());
      tape.output.resize(batch * plane_size(this->output_shape()), out_channels());
      onednn::conv_forward(geometry_of(this->input_shape(), this->output_shape(), batch, kernel_,
                                       stride_, padding_, bias_),
                           input.data(), p.params, bias_ ? p.params + weights_ : nullptr,
                           tape.output.data());
      return;
    }
  }
#endif
  const Eigen::Map<const Mat> weights(p.params, patch(), out_channels());
  if (pointwise()) {
    tape.output.resize(input.rows(), out_channels());
    multiply<Scalar>(input, weights, tape.output);
  } else {
    Mat& columns = columns_scratch<Scalar>();
    im2col(input, columns);
    tape.output.resize(columns.rows(), out_channels());
    multiply<Scalar>(columns, weights, tape.output);
  }
  if (bias_) {
    const Eigen::Map<const Vector<Scalar>> bias(p.params + weights_, out_channels());
    tape.output.rowwise() += bias.transpose();
  }
}

template <class Scalar>
void Conv2d<Scalar>::backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>&,
                              Mat& output_grad, Scalar* grad, Mat* input_grad) const {
#ifdef SGDSIM_HAVE_ONEDNN
  if constexpr (std::is_same_v<Scalar, float>) {
    if (on_onednn()) {
      const Eigen::Index batch = input.rows() / plane_size(this->input_shape());
      if (input_grad) input_grad->resize(input.rows(), input.cols());
      onednn::conv_backward(geometry_of(this->input_shape(), this->output_shape(), batch, kernel_,
                                        stride_, padding_, bias_),
                            input.data(), p.params, output_grad.data(), grad,
                            bias_ ? grad + weights_ : nullptr,
                            input_grad ? input_grad->data() : nullptr);
      return;
    }
  }
#endif
  const Eigen::Map<const Mat> weights(p.params, patch(), out_channels());
  Eigen::Map<Mat> weights_grad(grad, patch(), out_channels());
  if (bias_) {
    Eigen::Map<Vector<Scalar>>(grad + weights_, out_channels()) =
        output_grad.colwise().sum().transpose();
  }
  if (pointwise()) {
    multiply<Scalar>(input, output_grad, weights_grad, Transposed::lhs);
    if (input_grad) {
      input_grad->resize(output_grad.rows(), patch());
      multiply<Scalar>(output_grad, weights, *input_grad, Transposed::rhs);
    }
    return;
  }
  Mat& columns = columns_scratch<Scalar>();
  im2col(input, columns);
  multiply<Scalar>(columns, output_grad, weights_grad, Transposed::lhs);
  if (input_grad) {
    columns.resize(output_grad.rows(), patch());
    multiply<Scalar>(output_grad, weights, columns, Transposed::rhs);
    col2im(columns, *input_grad);
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace sgdsim::nn
