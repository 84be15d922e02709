// Pooling over each channel's H×W plane: max and average over k×k windows with stride s and zero
// padding p (PyTorch's MaxPool2d, and AvgPool2d with count_include_pad: padding counts as zeros),
// and the global average over the whole plane (C×H×W → C×1×1).
#pragma once

#include "models/nn/layer.hpp"

namespace sgdsim::nn {

struct PoolWindow {
  int kernel = 2;
  int stride = 2;
  int padding = 0;
};

// Throws std::invalid_argument when the window does not fit the input (or padding > kernel/2,
// which PyTorch refuses too: a window could then see padding only).
ImageShape pooled_shape(const char* layer, ImageShape input, const PoolWindow& window);

template <class Scalar>
class MaxPool final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;
  MaxPool(ImageShape input, PoolWindow window);
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  // The gradient goes to each window's first maximum (PyTorch's choice on ties).
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  PoolWindow window_;
};

template <class Scalar>
class AvgPool final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;
  AvgPool(ImageShape input, PoolWindow window);
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;

 private:
  PoolWindow window_;
};

template <class Scalar>
class GlobalAvgPool final : public Layer<Scalar> {
 public:
  using typename Layer<Scalar>::Mat;
  explicit GlobalAvgPool(ImageShape input) : Layer<Scalar>(input, {input.channels, 1, 1}) {}
  void forward(const LayerParams<Scalar>& p, const Mat& input, Mode mode,
               Tape<Scalar>& tape) const override;
  void backward(const LayerParams<Scalar>& p, const Mat& input, Tape<Scalar>& tape,
                Mat& output_grad, Scalar* grad, Mat* input_grad) const override;
};

}  // namespace sgdsim::nn
