// What a scenario says about the model; the factory turns it and the data's shape into an
// Objective.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nn/layer_spec.hpp"
#include "models/objective.hpp"

namespace sgdsim {

enum class Activation { relu, tanh };
enum class InitKind { zeros, random };

struct ModelSpec {
  std::string kind = "mlp";  // a row of model_catalog()
  std::vector<int> hidden;   // mlp: hidden layer widths
  Activation activation = Activation::relu;
  InitKind init = InitKind::random;
  std::vector<nn::LayerSpec> layers;      // sequential
  std::optional<ImageShape> input_shape;  // sequential and presets: overrides the data's shape
};

struct ModelInfo {
  std::string name;
  std::string description;
  Task task;             // the kind of labels the model needs
  bool layered = false;  // a network of models/nn layers (sequential and its presets)
};

// Every built-in model, in the order --help lists them.
const std::vector<ModelInfo>& model_catalog();
const ModelInfo* find_model(std::string_view name);

// Throws std::invalid_argument when the spec does not fit the data (e.g. logistic on 10 classes).
// `image`: the data's sample shape, which layered models take as their input shape unless the
// spec gives one (without either, a vector d×1×1).
template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_objective(const ModelSpec& spec, Eigen::Index num_features,
                                                  int num_classes,
                                                  std::optional<ImageShape> image = std::nullopt);

// The layers of a layered model: spec.layers for sequential, the preset's otherwise.
std::vector<nn::LayerSpec> layers_of(const ModelSpec& spec, int num_classes);

}  // namespace sgdsim
