// Training algorithms by the name a scenario uses for them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/replicated_algorithm.hpp"

namespace sgdsim {

struct AlgorithmInfo {
  std::string name;
  std::string description;
};

const std::vector<AlgorithmInfo>& algorithm_catalog();
const AlgorithmInfo* find_algorithm(std::string_view name);

// Throws std::invalid_argument for an unknown kind, naming the known ones.
template <class Scalar>
std::unique_ptr<Algorithm> make_algorithm(const AlgorithmSpec& spec,
                                          TrainingProblem<Scalar> problem);

}  // namespace sgdsim
