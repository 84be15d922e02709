// Training algorithms by the name a scenario uses for them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/async_algorithm.hpp"
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

// The algorithms a scenario runs asynchronously (sim/run/async_run.hpp): kind async_sgd.
// Throws std::invalid_argument for any other kind.
template <class Scalar>
std::unique_ptr<AsyncAlgorithm> make_async_algorithm(const AlgorithmSpec& spec,
                                                     TrainingProblem<Scalar> problem);

}  // namespace sgdsim
