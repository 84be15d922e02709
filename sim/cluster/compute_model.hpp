// How long one local SGD step of one worker takes in simulated time: a base step time drawn from a
// distribution (step_time_distributions.hpp), divided by the worker's speed factor, times an
// injected straggler slow-down and the slow-down windows the step starts in.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/rng.hpp"
#include "sim/cluster/compute_spec.hpp"
#include "sim/cluster/step_time_distributions.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

// Per-worker step times, each worker drawing from its own streams of the scenario seed:
// ("compute", w) for the base time, ("stragglers", w) for straggler injection (one draw every step
// whatever the probability), and ("speed_factors") once for speed factors from a distribution.
class ComputeModel {
 public:
  // `flops_per_step` is the model's FLOPs of one local step (forward + backward), used by the
  // flops kind. Throws std::invalid_argument for a spec that does not fit `workers`, DataError for
  // an unreadable empirical CSV.
  ComputeModel(const ComputeSpec& spec, int workers, std::uint64_t seed,
               double flops_per_step = 0.0);

  // The duration of the step `worker` starts at simulated time `now`.
  SimTime step_time(int worker, SimTime now);

  int workers() const { return workers_; }
  // The resolved speed of `worker` (listed, drawn, or 1).
  double speed_factor(int worker) const {
    return speed_factors_.empty() ? 1.0 : speed_factors_[worker];
  }
  // Per worker, or empty when neither listed nor drawn (every worker at speed 1): a million
  // workers need not carry 8 MB of ones, nor the counts below of what is not configured.
  const std::vector<double>& speed_factors() const { return speed_factors_; }
  // Per worker: steps slowed by straggler injection (empty when the probability is 0), and steps
  // started inside a slow-down window (empty when there is none).
  const std::vector<std::int64_t>& straggler_steps() const { return straggler_steps_; }
  const std::vector<std::int64_t>& window_steps() const { return window_steps_; }

 private:
  std::unique_ptr<StepTimeDistribution> distribution_;
  int workers_;
  std::vector<double> speed_factors_;
  StragglerSpec stragglers_;
  std::vector<SlowdownWindow> slowdowns_;
  std::vector<Rng> rngs_;
  std::vector<Rng> straggler_rngs_;
  std::vector<std::int64_t> straggler_steps_;
  std::vector<std::int64_t> window_steps_;
};

// The speed factor of each of `workers` workers: the list if given, else drawn from the
// distribution with the seed's "speed_factors" stream (worker 0 first), else all 1.
std::vector<double> resolve_speed_factors(const ComputeSpec& spec, int workers, std::uint64_t seed);

}  // namespace sgdsim
