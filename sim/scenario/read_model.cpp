// The `model` section: the model's kind and, for networks of layers, its layers.
#include <fmt/format.h>

#include "models/nn/build_layers.hpp"
#include "sim/scenario/section_readers.hpp"

namespace sgdsim {
namespace {

using yaml::Section;

constexpr std::int64_t kMaxLayerSize = 1 << 16;  // channels, units, kernel sides

std::vector<std::string> layer_type_names() {
  std::vector<std::string> names = names_of(nn::layer_catalog());
  names.push_back("basic_block");
  return names;
}

int read_size(Section& s, const char* key, bool required, int fallback, std::int64_t min = 1) {
  const auto v = s.integer(key, min, kMaxLayerSize, required);
  return v ? static_cast<int>(*v) : fallback;
}

std::optional<nn::Shortcut> read_shortcut(Section& s) {
  const auto v = s.choice("shortcut", {"identity", "pad", "project"});
  if (!v) return std::nullopt;
  return *v == "identity" ? nn::Shortcut::identity
         : *v == "pad"    ? nn::Shortcut::pad
                          : nn::Shortcut::project;
}

std::vector<nn::LayerSpec> read_layers(Section& parent, const char* key);

// One entry of a layers list; a basic_block gives two (the block and its relu).
std::vector<nn::LayerSpec> read_layer(Section s) {
  const auto type = s.choice("type", layer_type_names(), true);
  if (!type) {
    s.finish();
    return {};
  }
  if (*type == "basic_block") {
    const int channels = read_size(s, "channels", true, 16);
    const int stride = read_size(s, "stride", false, 1);
    const nn::Shortcut shortcut = read_shortcut(s).value_or(nn::Shortcut::identity);
    s.finish();
    return nn::basic_block(channels, stride, shortcut);
  }
  nn::LayerSpec spec;
  for (const nn::LayerKindInfo& info : nn::layer_catalog()) {
    if (*type == info.name) spec.kind = info.kind;
  }
  switch (spec.kind) {
    case nn::LayerKind::conv2d:
      spec.channels = read_size(s, "channels", true, 1);
      spec.kernel = read_size(s, "kernel", true, 1);
      spec.stride = read_size(s, "stride", false, 1);
      spec.padding = read_size(s, "padding", false, 0, 0);
      if (auto v = s.boolean("bias")) spec.bias = *v;
      break;
    case nn::LayerKind::max_pool:
    case nn::LayerKind::avg_pool:
      spec.kernel = read_size(s, "kernel", true, 2);
      spec.stride = read_size(s, "stride", false, spec.kernel);
      spec.padding = read_size(s, "padding", false, 0, 0);
      break;
    case nn::LayerKind::batch_norm:
      if (auto v = s.real("momentum", 0.0, 1.0)) spec.momentum = *v;
      if (auto v = s.real("epsilon", 0.0, 1.0, false, true)) spec.epsilon = *v;
      break;
    case nn::LayerKind::dense:
      spec.units = read_size(s, "units", true, 1);
      if (auto v = s.boolean("bias")) spec.bias = *v;
      break;
    case nn::LayerKind::residual:
      spec.layers = read_layers(s, "layers");
      if (auto v = read_shortcut(s)) spec.shortcut = *v;
      break;
    case nn::LayerKind::global_avg_pool:
    case nn::LayerKind::relu:
    case nn::LayerKind::tanh:
    case nn::LayerKind::flatten:
      break;
  }
  s.finish();
  return {spec};
}

std::vector<nn::LayerSpec> read_layers(Section& parent, const char* key) {
  std::vector<nn::LayerSpec> layers;
  if (!parent.has(key)) {
    parent.error(key,
                 "is required: a list of layers, e.g. [{type: conv2d, channels: 16, "
                 "kernel: 3}, {type: relu}, ...]");
    return layers;
  }
  const auto entries = parent.sections(key, "layer ({type: ..., ...})");
  if (!entries) return layers;
  if (entries->empty()) parent.error(key, "needs at least one layer");
  for (const Section& entry : *entries) {
    for (nn::LayerSpec& spec : read_layer(entry)) layers.push_back(std::move(spec));
  }
  return layers;
}

}  // namespace

void read_model(Section s, ModelSpec& m) {
  if (auto v = s.choice("kind", names_of(model_catalog()), true)) m.kind = *v;
  const ModelInfo* info = find_model(m.kind);
  const bool layered = info && info->layered;
  if (auto v = s.integers("hidden", 1, 1 << 20)) {
    m.hidden.assign(v->begin(), v->end());
    if (m.kind != "mlp" && !m.hidden.empty()) s.error("hidden", "only an mlp has hidden layers");
  }
  if (auto v = s.choice("activation", {"relu", "tanh"})) {
    m.activation = *v == "relu" ? Activation::relu : Activation::tanh;
    if (layered) s.error("activation", "is the mlp's; a network of layers has relu or tanh layers");
  }
  if (auto v = s.choice("init", {"zeros", "random"})) {
    m.init = *v == "zeros" ? InitKind::zeros : InitKind::random;
    if (m.init == InitKind::zeros && ((m.kind == "mlp" && !m.hidden.empty()) || layered)) {
      s.error("init", fmt::format("zeros makes every hidden unit identical forever; use random "
                                  "for {}",
                                  m.kind == "mlp" ? "an mlp" : m.kind));
    }
  }
  if (m.kind == "sequential") {
    m.layers = read_layers(s, "layers");
  } else if (s.has("layers")) {
    s.error("layers", layered ? fmt::format("{} has its own layers; use kind sequential to give "
                                            "yours",
                                            m.kind)
                              : fmt::format("only kind sequential has layers, not {}", m.kind));
  }
  if (auto v = s.integers("input_shape", 1, kMaxSteps)) {
    if (v->size() != 3) {
      s.error("input_shape",
              fmt::format("expected [channels, height, width], got {} numbers", v->size()));
    } else if (!layered) {
      s.error("input_shape",
              fmt::format("only a network of layers takes an input shape, not {}", m.kind));
    } else {
      m.input_shape = ImageShape{(*v)[0], (*v)[1], (*v)[2]};
    }
  }
  s.finish();
}

}  // namespace sgdsim
