// Building models for tests: specs by parts, labelled cases for properties over several models, and
// float64 objectives from a kind and the data's shape.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model_spec.hpp"

namespace sgdsim::testing {

// ModelSpec by parts (designated initializers trip GCC 12's -Wmissing-field-initializers).
inline ModelSpec spec_of(std::string kind, std::vector<int> hidden = {},
                         Activation activation = Activation::relu) {
  ModelSpec spec;
  spec.kind = std::move(kind);
  spec.hidden = std::move(hidden);
  spec.activation = activation;
  return spec;
}

// One model a property is checked on; `label` names its DYNAMIC_SECTION.
struct ModelCase {
  std::string label;
  ModelSpec spec;
  int num_classes;
};

// A float64 objective of `kind` (relu hidden layers of widths `hidden`, for mlp) for data of
// `num_features` features and `num_classes` classes.
inline std::unique_ptr<Objective<double>> make_model(const std::string& kind,
                                                     Eigen::Index num_features, int num_classes,
                                                     std::vector<int> hidden = {}) {
  return make_objective<double>(spec_of(kind, std::move(hidden)), num_features, num_classes);
}

}  // namespace sgdsim::testing
