// The runs of a sweep: the cartesian product of the grid's values, each point `replicates` times,
// every run a scenario loaded with its point's overrides (so each is validated like `sgdsim run
// --set ...` would). Replicate 0 keeps the point's seed; replicate r ≥ 1 gets
// derive_seed(seed, "replicate", r) >> 1, so a one-replicate sweep reproduces single runs exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace sgdsim {

struct SweepRun {
  std::string id;  // p{point:04}_r{replicate}: the run's directory under runs/
  std::size_t point = 0;
  int replicate = 0;
  std::vector<std::string> values;     // the point's value of each axis, as written
  std::vector<std::string> overrides;  // what makes this run out of the sweep file
  Scenario scenario;                   // loaded and validated
};

struct SweepPlan {
  SweepSpec spec;
  std::vector<SweepRun> runs;  // in (point, replicate) order
  std::size_t points = 0;
};

// Loads `path` with `overrides` and every run of its sweep; throws ConfigError listing every run
// whose scenario is invalid (each message prefixed with the run's values). A file without a
// sweep section is a one-run sweep.
// `progress` (optional) hears (points validated, points) after each point: a sweep of 10⁵ points
// takes a while to validate, and the CLI says so instead of sitting silent.
SweepPlan plan_sweep(const std::string& path, const std::vector<std::string>& overrides,
                     const std::function<void(std::size_t, std::size_t)>& progress = {});

// The same for a scenario that `load` reads with the overrides it is given (e.g. text in memory,
// with arrays attached: the Python module).
using ScenarioLoader = std::function<Scenario(const std::vector<std::string>& overrides)>;
SweepPlan plan_sweep(const ScenarioLoader& load, const std::vector<std::string>& overrides,
                     const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace sgdsim
