// What a scenario says about the model; the factory turns it and the data's shape into an
// Objective.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/objective.hpp"

namespace sgdsim {

enum class Activation { relu, tanh };
enum class InitKind { zeros, random };

struct ModelSpec {
  std::string kind = "mlp";  // least_squares | logistic | softmax | mlp
  std::vector<int> hidden;   // mlp: hidden layer widths
  Activation activation = Activation::relu;
  InitKind init = InitKind::random;
};

struct ModelInfo {
  std::string name;
  std::string description;
  Task task;  // the kind of labels the model needs
};

// Every built-in model, in the order --help lists them.
const std::vector<ModelInfo>& model_catalog();
const ModelInfo* find_model(std::string_view name);

// Throws std::invalid_argument when the spec does not fit the data (e.g. logistic on 10 classes).
template <class Scalar>
std::unique_ptr<Objective<Scalar>> make_objective(const ModelSpec& spec, Eigen::Index num_features,
                                                  int num_classes);

}  // namespace sgdsim
