// How long one local SGD step of one worker takes in simulated time: a distribution of base step
// times, divided by the worker's speed factor (a heterogeneous cluster).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/rng.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct ComputeSpec {
  std::string kind = "constant";  // constant | lognormal
  SimTime mean = SimTime::from_ns(30'000'000);
  double sigma = 0.0;                 // lognormal: standard deviation of log(step time)
  std::vector<double> speed_factors;  // per worker; empty = all 1. Speed 0.5 doubles step times.
};

class StepTimeDistribution {
 public:
  virtual ~StepTimeDistribution() = default;
  virtual SimTime sample(Rng& rng) const = 0;
};

struct ComputeModelInfo {
  std::string name;
  std::string description;
};

const std::vector<ComputeModelInfo>& compute_model_catalog();
// Throws std::invalid_argument for an unknown kind (naming the known ones).
std::unique_ptr<StepTimeDistribution> make_step_time_distribution(const ComputeSpec& spec);

// Per-worker step times, each worker drawing from its own stream of the scenario seed.
class ComputeModel {
 public:
  ComputeModel(const ComputeSpec& spec, int workers, std::uint64_t seed);
  SimTime step_time(int worker);

 private:
  std::unique_ptr<StepTimeDistribution> distribution_;
  std::vector<double> speed_factors_;
  std::vector<Rng> rngs_;
};

}  // namespace sgdsim
