// The base time of one local step: a distribution per `compute.kind`, registered by name with a
// one-line description (compute_model_catalog) so --help and error messages can list them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/rng.hpp"
#include "sim/cluster/compute_spec.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

class StepTimeDistribution {
 public:
  virtual ~StepTimeDistribution() = default;
  // The base time of `worker`'s next step, drawn from `rng`, that worker's own stream. Stateful
  // kinds (empirical replay) keep a separate position per worker, so a worker's sequence never
  // depends on how often the others draw.
  virtual SimTime sample(int worker, Rng& rng) = 0;
};

// One row of the compute-model table: name, description, and the factory of its distribution
// (for `workers` workers; `flops_per_step` is the model's FLOPs of one local step).
struct ComputeModelInfo {
  std::string name;
  std::string description;
  std::unique_ptr<StepTimeDistribution> (*make)(const ComputeSpec& spec, int workers,
                                                double flops_per_step) = nullptr;
  bool needs_flops = false;  // times steps by the model's FLOPs (the flops kind)
};

const std::vector<ComputeModelInfo>& compute_model_catalog();

// The distribution of `spec.kind` for `workers` workers. `flops_per_step` (the model's FLOPs of
// one local step) is needed by the flops kind only. Throws std::invalid_argument for an unknown
// kind (naming the known ones) or parameters that make no sense, DataError for an unreadable
// empirical CSV.
std::unique_ptr<StepTimeDistribution> make_step_time_distribution(const ComputeSpec& spec,
                                                                  int workers,
                                                                  double flops_per_step = 0.0);

// Standard gamma variate of shape k (scale 1): Marsaglia & Tsang (2000), with the boost
// G(k) = G(k+1)·U^(1/k) for k < 1.
double standard_gamma(double shape, Rng& rng);

// The exact step time of the flops kind: flops_per_step / (flops_per_second · efficiency).
SimTime flops_step_time(double flops_per_step, double flops_per_second, double efficiency);

}  // namespace sgdsim
