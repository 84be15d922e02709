// float32 2-D convolution on oneDNN's primitives (built only with SGDSIM_HAVE_ONEDNN), for
// Conv2d<float>: the same arithmetic as its im2col + Eigen path in another summation order.
//
// Tensors are sgdsim's: activations channel-major (CNHW, layer.hpp), weights [C_out][C_in][k][k]
// row-major. Each call runs on the calling thread only (oneDNN's OpenMP runtime is held to one
// thread for it) with primitives and buffers cached per thread and per geometry, so a result
// depends on the inputs alone, not on how many threads sgdsim runs.
#pragma once

#include <compare>
#include <cstdint>

namespace sgdsim::nn::onednn {

struct ConvGeometry {
  std::int64_t batch, in_channels, in_height, in_width;
  std::int64_t out_channels, out_height, out_width;
  std::int64_t kernel, stride, padding;
  bool bias;

  auto operator<=>(const ConvGeometry&) const = default;
};

// output ((N·H_out·W_out) × C_out, CNHW) = conv(input, weights) + bias (bias null without one).
void conv_forward(const ConvGeometry& g, const float* input, const float* weights,
                  const float* bias, float* output);

// From d(loss)/d(output): weights_grad ([C_out][C_in][k][k]), bias_grad (C_out; null without a
// bias) and, unless null, input_grad (CNHW).
void conv_backward(const ConvGeometry& g, const float* input, const float* weights,
                   const float* output_grad, float* weights_grad, float* bias_grad,
                   float* input_grad);

}  // namespace sgdsim::nn::onednn
