// The typed `compute` section of a scenario: which distribution a worker's local step time follows
// and how workers differ (speed factors, injected stragglers, slow-down windows). Filled and
// validated by sim/scenario/read_compute.cpp; see docs/compute-models.md for the semantics.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/sim_time.hpp"

namespace sgdsim {

enum class EmpiricalMode {
  replay,    // worker w walks the rows cyclically from row ⌊w·n/N⌋
  resample,  // each step draws a row uniformly, with replacement, from the worker's stream
};

// Speed factors drawn once per worker from the scenario seed's "speed_factors" stream.
struct SpeedFactorDistribution {
  std::string kind = "uniform";  // uniform | lognormal
  double min = 1.0;              // uniform: speed ~ U[min, max]
  double max = 1.0;
  double sigma = 0.0;  // lognormal: speed = exp(sigma·Z), median 1
};

// Each step of each worker is, with `probability`, `slowdown` times longer.
struct StragglerSpec {
  double probability = 0.0;
  double slowdown = 1.0;
};

// A step that starts on `worker` at a time in [from, until) takes `factor` times longer.
struct SlowdownWindow {
  int worker = 0;
  SimTime from;
  SimTime until;
  double factor = 1.0;
};

struct ComputeSpec {
  // constant | normal | lognormal | exponential | shifted_exponential | gamma | empirical | flops
  std::string kind = "constant";
  SimTime mean = SimTime::from_ns(30'000'000);  // the mean step time (all but empirical, flops)
  SimTime std;                                  // normal: standard deviation before truncation
  double sigma = 0.0;                           // lognormal: standard deviation of log(step time)
  SimTime minimum;                              // shifted_exponential: the shift
  double shape = 1.0;                           // gamma: k (variance mean²/k)

  std::string path;  // empirical: CSV of step times in seconds
  // empirical with `times: arrays`: the step times, attached by the Python module instead of a file
  bool times_in_memory = false;
  std::shared_ptr<const std::vector<SimTime>> times;
  EmpiricalMode mode = EmpiricalMode::resample;

  double flops_per_second = 0.0;  // flops: the device's peak FLOP/s
  double efficiency = 1.0;        // flops: the share of the peak a step achieves, (0, 1]
  double jitter_sigma = 0.0;      // flops: lognormal jitter (mean 1) around the exact time

  std::vector<double> speed_factors;  // per worker; empty = all 1. Speed 0.5 doubles step times.
  std::optional<SpeedFactorDistribution> speed_distribution;  // instead of the list
  StragglerSpec stragglers;
  std::vector<SlowdownWindow> slowdowns;
};

const char* to_string(EmpiricalMode mode);

}  // namespace sgdsim
