// What a scenario says about one layer of `model: {kind: sequential, layers: [...]}`. Plain data:
// the scenario loader fills it, build_layers turns it into layers once the input shape is known.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sgdsim::nn {

enum class LayerKind {
  conv2d,
  max_pool,
  avg_pool,
  global_avg_pool,
  batch_norm,
  dense,
  relu,
  tanh,
  flatten,
  residual,
};

// How a residual block's input reaches its sum when the body changes the shape.
enum class Shortcut {
  identity,  // x itself: the body keeps the shape
  pad,       // x subsampled by the stride, channels zero-padded (He et al. 2016's option A)
  project,   // 1×1 convolution with the stride, then batch norm (option B)
};

struct LayerSpec {
  LayerKind kind = LayerKind::relu;
  int channels = 0;       // conv2d: output channels
  int units = 0;          // dense: outputs
  int kernel = 0;         // conv2d, max_pool, avg_pool: square kernel side
  int stride = 0;         // 0: 1 for conv2d, the kernel for pooling
  int padding = 0;        // zeros on every side
  bool bias = true;       // conv2d, dense
  double momentum = 0.1;  // batch_norm: running ← (1 − m)·running + m·batch (PyTorch's)
  double epsilon = 1e-5;  // batch_norm: x̂ = (x − μ)/√(σ² + ε)
  Shortcut shortcut = Shortcut::identity;  // residual
  std::vector<LayerSpec> layers{};         // residual: the body

  bool operator==(const LayerSpec&) const = default;
};

struct LayerKindInfo {
  LayerKind kind;
  const char* name;
  const char* description;
};

// Every layer kind, in the order --help lists them.
const std::vector<LayerKindInfo>& layer_catalog();
const char* to_string(LayerKind kind);
const char* to_string(Shortcut shortcut);

}  // namespace sgdsim::nn
