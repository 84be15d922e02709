// One scenario from start to finish: a ScenarioRun (sim/runner/scenario_run.hpp) with the file
// writers as its observers, writing metrics.csv, trace.json, model.csv and (last) summary.json.
#pragma once

#include <atomic>
#include <string>

#include "sim/runner/scenario_run.hpp"

namespace sgdsim {

struct RunOptions {
  std::string out_dir;
  bool quiet = false;
  int threads = 1;  // for the workers' local steps (sim/run/synchronous_run.hpp); same results
  const std::atomic<bool>* stop_requested = nullptr;  // set by a signal handler to interrupt
  // Bytes the run may hold (data and replicas); 0: whatever the machine has available then
  double memory_limit_bytes = 0;
  // Read the data and run every check a run makes, then stop before writing anything
  // (`sgdsim validate`): whatever passes here is refused by no later check before simulating.
  bool check_only = false;
};

// Throws ConfigError or DataError (bad input) before anything is written to out_dir, and
// std::runtime_error when an output cannot be written.
RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace sgdsim
