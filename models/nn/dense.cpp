#include "models/nn/dense.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/products/matrix_product.hpp"

namespace sgdsim::nn {

template <class Scalar>
Dense<Scalar>::Dense(ImageShape input, int units, bool bias)
    : Layer<Scalar>(input, {units, 1, 1}),
      bias_(bias),
      weights_(static_cast<Eigen::Index>(units) * input.channels) {
  if (units < 1) throw std::invalid_argument("dense needs units >= 1");
  if (plane_size(input) != 1) {
    throw std::invalid_argument("dense needs a flat input; add a flatten layer before it");
  }
}

template <class Scalar>
void Dense<Scalar>::initialize(Scalar* params, Scalar*, Rng* rng) const {
  const double scale = std::sqrt(2.0 / static_cast<double>(this->input_shape().channels));
  for (Eigen::Index i = 0; i < weights_; ++i)
    params[i] = rng ? static_cast<Scalar>(scale * rng->normal()) : Scalar(0);
  if (bias_) std::fill(params + weights_, params + weights_ + units(), Scalar(0));
}

template <class Scalar>
void Dense<Scalar>::forward(const LayerParams<Scalar>& p, const Mat& input, Mode,
                            Tape<Scalar>& tape) const {
  // Row-major [units][C] is the column-major C × units matrix Wᵀ; the batch is N × C.
  const Eigen::Map<const Mat> weights_t(p.params, this->input_shape().channels, units());
  tape.output.resize(input.rows(), units());
  multiply<Scalar>(input, weights_t, tape.output);
  if (bias_) {
    tape.output.rowwise() +=
        Eigen::Map<const Vector<Scalar>>(p.params + weights_, units()).transpose();
  }
}

template <class Scalar>
void Dense<Scalar>::backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>&,
                             Mat& output_grad, Scalar* grad, Mat* input_grad) const {
  const Eigen::Index in = this->input_shape().channels;
  multiply<Scalar>(input, output_grad, Eigen::Map<Mat>(grad, in, units()), Transposed::lhs);
  if (bias_) {
    Eigen::Map<Vector<Scalar>>(grad + weights_, units()) = output_grad.colwise().sum().transpose();
  }
  if (input_grad) {
    input_grad->resize(output_grad.rows(), in);
    multiply<Scalar>(output_grad, Eigen::Map<const Mat>(p.params, in, units()), *input_grad,
                     Transposed::rhs);
  }
}

template <class Scalar>
void Flatten<Scalar>::forward(const LayerParams<Scalar>&, const Mat& input, Mode,
                              Tape<Scalar>& tape) const {
  const Eigen::Index plane = plane_size(this->input_shape());
  const Eigen::Index batch = input.rows() / plane;
  tape.output.resize(batch, input.cols() * plane);
  // Feature c·H·W + i of sample n is pixel i of channel c.
  for (Eigen::Index c = 0; c < input.cols(); ++c) {
    tape.output.middleCols(c * plane, plane) = input.col(c).reshaped(plane, batch).transpose();
  }
}

template <class Scalar>
void Flatten<Scalar>::backward(const LayerParams<Scalar>&, const Mat& input, Tape<Scalar>&,
                               Mat& output_grad, Scalar*, Mat* input_grad) const {
  if (!input_grad) return;
  const Eigen::Index plane = plane_size(this->input_shape());
  const Eigen::Index batch = output_grad.rows();
  input_grad->resize(input.rows(), input.cols());
  for (Eigen::Index c = 0; c < input.cols(); ++c) {
    input_grad->col(c).reshaped(plane, batch) =
        output_grad.middleCols(c * plane, plane).transpose();
  }
}

template class Dense<float>;
template class Dense<double>;
template class Flatten<float>;
template class Flatten<double>;

}  // namespace sgdsim::nn
