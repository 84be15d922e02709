#pragma once

#include <cstdint>

#include "models/data/dataset.hpp"

namespace sgdsim {

struct SyntheticSpec {
  Task task = Task::multiclass;
  std::int64_t samples = 10000;
  std::int64_t test_samples = 2000;
  int features = 20;
  int classes = 10;         // multiclass only
  double noise = 0.1;       // regression: label noise std; classification: see synthetic.cpp
  double separation = 2.0;  // multiclass: spread of the class centres
};

// Seeded generators: regression y = w*·x + b* + noise; binary labels drawn from a logistic teacher;
// multi-class Gaussian clusters around random centres. Train and test come from one distribution.
template <class Scalar>
TrainTestData<Scalar> make_synthetic(const SyntheticSpec& spec, std::uint64_t seed);

}  // namespace sgdsim
