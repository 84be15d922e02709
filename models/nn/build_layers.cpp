#include "models/nn/build_layers.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include "models/nn/activation.hpp"
#include "models/nn/batch_norm.hpp"
#include "models/nn/conv2d.hpp"
#include "models/nn/dense.hpp"
#include "models/nn/pooling.hpp"
#include "models/nn/residual.hpp"

namespace sgdsim::nn {
namespace {

PoolWindow window_of(const LayerSpec& spec) {
  return {spec.kernel, spec.stride > 0 ? spec.stride : spec.kernel, spec.padding};
}

template <class Scalar>
std::unique_ptr<Layer<Scalar>> make_layer(ImageShape in, const LayerSpec& spec,
                                          const std::string& path) {
  switch (spec.kind) {
    case LayerKind::conv2d:
      return std::make_unique<Conv2d<Scalar>>(in, spec.channels, spec.kernel,
                                              spec.stride > 0 ? spec.stride : 1, spec.padding,
                                              spec.bias);
    case LayerKind::max_pool:
      return std::make_unique<MaxPool<Scalar>>(in, window_of(spec));
    case LayerKind::avg_pool:
      return std::make_unique<AvgPool<Scalar>>(in, window_of(spec));
    case LayerKind::global_avg_pool:
      return std::make_unique<GlobalAvgPool<Scalar>>(in);
    case LayerKind::batch_norm:
      return std::make_unique<BatchNorm<Scalar>>(in, spec.momentum, spec.epsilon);
    case LayerKind::dense:
      return std::make_unique<Dense<Scalar>>(in, spec.units, spec.bias);
    case LayerKind::relu:
      return std::make_unique<ActivationLayer<Scalar>>(in, Elementwise::relu);
    case LayerKind::tanh:
      return std::make_unique<ActivationLayer<Scalar>>(in, Elementwise::tanh);
    case LayerKind::flatten:
      return std::make_unique<Flatten<Scalar>>(in);
    case LayerKind::residual:
      return std::make_unique<Residual<Scalar>>(
          build_layers<Scalar>(in, spec.layers, path + ".layers"), spec.shortcut);
  }
  throw std::logic_error("unhandled layer kind");
}

std::string shape_text(const ImageShape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

}  // namespace

template <class Scalar>
LayerStack<Scalar> build_layers(ImageShape input, const std::vector<LayerSpec>& specs,
                                const std::string& path) {
  LayerStack<Scalar> stack(input);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string where = path + "[" + std::to_string(i) + "]";
    const ImageShape in = stack.output_shape();
    try {
      if (specs[i].kind == LayerKind::dense && plane_size(in) != 1) {
        stack.add(std::make_unique<Flatten<Scalar>>(in));
      }
      stack.add(make_layer<Scalar>(stack.output_shape(), specs[i], where));
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      if (what.rfind("layers[", 0) == 0) throw;  // already placed by a nested block
      throw std::invalid_argument(where + ": " + to_string(specs[i].kind) + " on a " +
                                  shape_text(in) + " input: " + what);
    }
  }
  return stack;
}

std::vector<LayerSpec> basic_block(int channels, int stride, Shortcut shortcut) {
  LayerSpec conv1{.kind = LayerKind::conv2d,
                  .channels = channels,
                  .kernel = 3,
                  .stride = stride,
                  .padding = 1,
                  .bias = false};
  LayerSpec conv2 = conv1;
  conv2.stride = 1;
  const LayerSpec bn{.kind = LayerKind::batch_norm};
  LayerSpec block{.kind = LayerKind::residual, .shortcut = shortcut};
  block.layers = {conv1, bn, LayerSpec{.kind = LayerKind::relu}, conv2, bn};
  return {block, LayerSpec{.kind = LayerKind::relu}};
}

std::vector<LayerSpec> preset_layers(std::string_view name, int num_classes) {
  if (name == "lenet5") {
    const LayerSpec relu{.kind = LayerKind::relu};
    const LayerSpec pool{.kind = LayerKind::max_pool, .kernel = 2};
    return {
        {.kind = LayerKind::conv2d, .channels = 6, .kernel = 5, .padding = 2},
        relu,
        pool,
        {.kind = LayerKind::conv2d, .channels = 16, .kernel = 5},
        relu,
        pool,
        {.kind = LayerKind::flatten},
        {.kind = LayerKind::dense, .units = 120},
        relu,
        {.kind = LayerKind::dense, .units = 84},
        relu,
        {.kind = LayerKind::dense, .units = num_classes},
    };
  }
  int blocks_per_stage = 0;
  if (name == "resnet8") blocks_per_stage = 1;
  if (name == "resnet20") blocks_per_stage = 3;
  if (blocks_per_stage == 0) return {};
  std::vector<LayerSpec> layers = {
      {.kind = LayerKind::conv2d, .channels = 16, .kernel = 3, .padding = 1, .bias = false},
      {.kind = LayerKind::batch_norm},
      {.kind = LayerKind::relu},
  };
  int channels = 16;
  for (int stage = 0; stage < 3; ++stage, channels *= 2) {
    for (int b = 0; b < blocks_per_stage; ++b) {
      const bool downsample = stage > 0 && b == 0;
      const auto block = basic_block(channels, downsample ? 2 : 1,
                                     downsample ? Shortcut::pad : Shortcut::identity);
      layers.insert(layers.end(), block.begin(), block.end());
    }
  }
  layers.push_back({.kind = LayerKind::global_avg_pool});
  layers.push_back({.kind = LayerKind::dense, .units = num_classes});
  return layers;
}

const std::vector<LayerKindInfo>& layer_catalog() {
  static const std::vector<LayerKindInfo> catalog = {
      {LayerKind::conv2d, "conv2d",
       "2-D convolution: channels, kernel, stride (1), padding (0), bias"},
      {LayerKind::max_pool, "max_pool", "max pooling: kernel, stride (= kernel), padding (0)"},
      {LayerKind::avg_pool, "avg_pool", "average pooling: kernel, stride (= kernel), padding (0)"},
      {LayerKind::global_avg_pool, "global_avg_pool", "mean of each channel: CxHxW -> Cx1x1"},
      {LayerKind::batch_norm, "batch_norm", "batch normalisation per channel: momentum, epsilon"},
      {LayerKind::dense, "dense", "fully connected: units, bias"},
      {LayerKind::relu, "relu", "max(x, 0)"},
      {LayerKind::tanh, "tanh", "tanh(x)"},
      {LayerKind::flatten, "flatten", "CxHxW -> (C*H*W)x1x1"},
      {LayerKind::residual, "residual", "layers + shortcut (identity | pad | project), summed"},
  };
  return catalog;
}

const char* to_string(LayerKind kind) {
  for (const LayerKindInfo& info : layer_catalog()) {
    if (info.kind == kind) return info.name;
  }
  return "?";
}

const char* to_string(Shortcut shortcut) {
  switch (shortcut) {
    case Shortcut::identity:
      return "identity";
    case Shortcut::pad:
      return "pad";
    case Shortcut::project:
      return "project";
  }
  return "?";
}

template LayerStack<float> build_layers<float>(ImageShape, const std::vector<LayerSpec>&,
                                               const std::string&);
template LayerStack<double> build_layers<double>(ImageShape, const std::vector<LayerSpec>&,
                                                 const std::string&);

}  // namespace sgdsim::nn
