#include "sim/algorithms/algorithm_spec.hpp"

#include <cmath>

namespace sgdsim {

double AlgorithmSpec::lr_at(std::int64_t step) const {
  if (lr_schedule.kind != "step" || lr_schedule.every <= 0) return lr;
  return lr * std::pow(lr_schedule.factor, static_cast<double>((step - 1) / lr_schedule.every));
}

}  // namespace sgdsim
