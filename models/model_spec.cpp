// The model registry: name → {description, task, factory}. A new model adds one row to
// `registry()`; --help, find_model and make_objective's errors pick it up from there.
#include "models/model_spec.hpp"

#include <stdexcept>
#include <string>

#include "models/blas_backend.hpp"
#include "models/least_squares.hpp"
#include "models/logistic.hpp"
#include "models/mlp.hpp"
#include "models/nn/build_layers.hpp"
#include "models/products/instruction_set.hpp"
#include "models/sequential.hpp"
#include "models/softmax.hpp"

namespace sgdsim {
namespace {

template <class Scalar>
using Factory = std::unique_ptr<Objective<Scalar>> (*)(const ModelSpec&, Eigen::Index, int,
                                                       const std::optional<ImageShape>&);

struct RegistryEntry {
  ModelInfo info;
  Factory<float> make_float;
  Factory<double> make_double;
};

void reject_hidden_layers(const ModelSpec& spec) {
  if (!spec.hidden.empty()) {
    throw std::invalid_argument("model '" + spec.kind +
                                "' has no hidden layers; use kind mlp for hidden layers");
  }
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_least_squares(const ModelSpec& spec,
                                                      Eigen::Index num_features, int,
                                                      const std::optional<ImageShape>&) {
  reject_hidden_layers(spec);
  return std::make_unique<LeastSquares<Scalar>>(num_features);
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_logistic(const ModelSpec& spec, Eigen::Index num_features,
                                                 int, const std::optional<ImageShape>&) {
  reject_hidden_layers(spec);
  return std::make_unique<Logistic<Scalar>>(num_features);
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_softmax(const ModelSpec& spec, Eigen::Index num_features,
                                                int num_classes, const std::optional<ImageShape>&) {
  reject_hidden_layers(spec);
  return std::make_unique<Softmax<Scalar>>(num_features, num_classes);
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_mlp(const ModelSpec& spec, Eigen::Index num_features,
                                            int num_classes, const std::optional<ImageShape>&) {
  return std::make_unique<Mlp<Scalar>>(num_features, spec.hidden, num_classes, spec.activation);
}

std::string shape_text(const ImageShape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_sequential(const ModelSpec& spec, Eigen::Index num_features,
                                                   int num_classes,
                                                   const std::optional<ImageShape>& image) {
  const ImageShape input = spec.input_shape ? *spec.input_shape
                           : image          ? *image
                                            : ImageShape{num_features, 1, 1};
  if (input.size() != num_features) {
    throw std::invalid_argument("input_shape " + shape_text(input) + " is " +
                                std::to_string(input.size()) + " features, but the data has " +
                                std::to_string(num_features));
  }
  const std::vector<nn::LayerSpec> layers = layers_of(spec, num_classes);
  if (layers.empty()) throw std::invalid_argument("model '" + spec.kind + "' has no layers");
  try {
    return std::make_unique<Sequential<Scalar>>(input, layers, num_classes);
  } catch (const std::invalid_argument& e) {
    if (spec.input_shape || image) throw;
    throw std::invalid_argument(std::string(e.what()) + " (the data's samples are vectors of " +
                                std::to_string(num_features) +
                                " features; give model.input_shape: [C, H, W] for images)");
  }
}

const std::vector<RegistryEntry>& registry() {
  static const std::vector<RegistryEntry> entries = {
      {{"least_squares", "linear regression, mean squared error / 2", Task::regression},
       &make_least_squares<float>,
       &make_least_squares<double>},
      {{"logistic", "binary logistic regression (labels 0/1), cross-entropy", Task::binary},
       &make_logistic<float>,
       &make_logistic<double>},
      {{"softmax", "multinomial logistic regression, softmax cross-entropy", Task::multiclass},
       &make_softmax<float>,
       &make_softmax<double>},
      {{"mlp", "multi-layer perceptron (hidden widths, relu|tanh), softmax cross-entropy",
        Task::multiclass},
       &make_mlp<float>,
       &make_mlp<double>},
      {{"sequential", "a network of layers (conv2d, pooling, batch_norm, dense, residual, ...)",
        Task::multiclass, true},
       &make_sequential<float>,
       &make_sequential<double>},
      {{"lenet5", "LeNet-5: 2 convolutions + 3 dense layers (61.7k params on 1x28x28)",
        Task::multiclass, true},
       &make_sequential<float>,
       &make_sequential<double>},
      {{"resnet8", "ResNet-8 for CIFAR (He et al. 2016, 3 stages x 1 block, 75k params)",
        Task::multiclass, true},
       &make_sequential<float>,
       &make_sequential<double>},
      {{"resnet20", "ResNet-20 for CIFAR (He et al. 2016, 3 stages x 3 blocks, 0.27M params)",
        Task::multiclass, true},
       &make_sequential<float>,
       &make_sequential<double>},
  };
  return entries;
}

const RegistryEntry* find_entry(std::string_view name) {
  for (const auto& entry : registry()) {
    if (entry.info.name == name) return &entry;
  }
  return nullptr;
}

std::string known_names() {
  std::string names;
  for (const auto& entry : registry()) {
    if (!names.empty()) names += ", ";
    names += entry.info.name;
  }
  return names;
}

// num_classes is 0 for regression data, 2 for binary, the class count otherwise.
void check_task(const ModelInfo& info, int num_classes) {
  const std::string data = num_classes == 0
                               ? "regression data (no classes)"
                               : "data with " + std::to_string(num_classes) + " classes";
  const bool fits = (info.task == Task::regression && num_classes == 0) ||
                    (info.task == Task::binary && num_classes == 2) ||
                    (info.task == Task::multiclass && num_classes >= 2);
  if (!fits) {
    const char* needs = info.task == Task::regression ? "regression targets (num_classes 0)"
                        : info.task == Task::binary   ? "binary labels 0/1 (num_classes 2)"
                                                      : "class labels (num_classes >= 2)";
    throw std::invalid_argument("model '" + info.name + "' needs " + needs + ", but got " + data);
  }
}

}  // namespace

const std::vector<ModelInfo>& model_catalog() {
  static const std::vector<ModelInfo> catalog = [] {
    std::vector<ModelInfo> infos;
    for (const auto& entry : registry()) infos.push_back(entry.info);
    return infos;
  }();
  return catalog;
}

const ModelInfo* find_model(std::string_view name) {
  for (const auto& info : model_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<nn::LayerSpec> layers_of(const ModelSpec& spec, int num_classes) {
  return spec.kind == "sequential" ? spec.layers : nn::preset_layers(spec.kind, num_classes);
}

template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_objective(const ModelSpec& spec, Eigen::Index num_features,
                                                  int num_classes,
                                                  std::optional<ImageShape> image) {
  const RegistryEntry* entry = find_entry(spec.kind);
  if (entry == nullptr) {
    throw std::invalid_argument("unknown model '" + spec.kind + "'; known: " + known_names());
  }
  if (num_features < 1) {
    throw std::invalid_argument("model '" + spec.kind + "' needs at least one feature, got " +
                                std::to_string(num_features));
  }
  check_task(entry->info, num_classes);
  pin_blas_to_caller_threads();  // before any product of the objective
  active_instruction_set();      // reads SGDSIM_ISA: a bad value fails here, naming it
  if constexpr (std::is_same_v<Scalar, float>) {
    return entry->make_float(spec, num_features, num_classes, image);
  } else {
    return entry->make_double(spec, num_features, num_classes, image);
  }
}

template std::unique_ptr<Objective<float>> make_objective<float>(const ModelSpec&, Eigen::Index,
                                                                 int, std::optional<ImageShape>);
template std::unique_ptr<Objective<double>> make_objective<double>(const ModelSpec&, Eigen::Index,
                                                                   int, std::optional<ImageShape>);

}  // namespace sgdsim
