// The data a scenario trains on, read (or generated) as its data section says.
#pragma once

#include "models/data/dataset.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim {

// `memory_limit`: bytes the data may take at most (0: no limit beyond each loader's own). Throws
// DataError for a bad file, std::invalid_argument for generator parameters that do not fit.
template <class Scalar>
TrainTestData<Scalar> load_training_data(const Scenario& s, double memory_limit);

}  // namespace sgdsim
