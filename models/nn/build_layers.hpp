// Layers from their specs, with each layer's input shape inferred from the one before it, and the
// named networks (presets) as specs.
#pragma once

#include <string_view>
#include <vector>

#include "models/nn/layer_spec.hpp"
#include "models/nn/layer_stack.hpp"

namespace sgdsim::nn {

// Throws std::invalid_argument naming the layer first ("layers[3]: conv2d on a 1x4x4 input: …",
// a nested block's layer as "layers[3].layers[0]: …") when a layer does not fit its input. A dense
// layer after a spatial one gets the flatten it needs.
template <class Scalar>
LayerStack<Scalar> build_layers(ImageShape input, const std::vector<LayerSpec>& specs,
                                const std::string& path = "layers");

// lenet5: conv 6@5×5 (padding 2) → relu → max pool 2 → conv 16@5×5 → relu → max pool 2 → dense
// 120 → relu → dense 84 → relu → dense C (LeCun et al. 1998's shapes on a 28×28 input, with relu
// and max pooling). resnet8 / resnet20: He et al. 2016's CIFAR networks (6n + 2 layers, n = 1 or
// 3): conv 16@3×3 → bn → relu → three stages of n basic blocks (16, 32, 64 channels, the second
// and third starting with stride 2, option A shortcuts) → global average pool → dense C.
// Empty for another name.
std::vector<LayerSpec> preset_layers(std::string_view name, int num_classes);

// A basic block: conv 3×3 (stride) → bn → relu → conv 3×3 → bn, plus the shortcut; then relu.
std::vector<LayerSpec> basic_block(int channels, int stride, Shortcut shortcut);

}  // namespace sgdsim::nn
