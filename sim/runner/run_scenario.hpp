// One scenario from start to finish: a ScenarioRun (sim/runner/scenario_run.hpp) with the file
// writers as its observers, writing metrics.csv, trace.json, model.csv and (last) summary.json.
#pragma once

#include <atomic>
#include <string>

#include "sim/output/directory_lock.hpp"
#include "sim/runner/scenario_run.hpp"

namespace sgdsim {

struct RunOptions {
  std::string out_dir;
  bool quiet = false;
  bool progress = true;  // with !quiet: a progress line on stderr (real runs: off, their spans
                         // arrive at the end)
  int threads = 1;       // for the workers' local steps (sim/run/synchronous_run.hpp); same results
  const std::atomic<bool>* stop_requested = nullptr;  // set by a signal handler to interrupt
  RunObserver* observer = nullptr;  // also hears every callback (the Python module's callbacks)
  // Bytes the run may hold (data and replicas); 0: whatever the machine has available then
  double memory_limit_bytes = 0;
  // Read the data and run every check a run makes, then stop before writing anything
  // (`sgdsim validate`): whatever passes here is refused by no later check before simulating.
  bool check_only = false;
};

// Throws ConfigError or DataError (bad input) before anything is written to out_dir, and
// std::runtime_error when an output cannot be written.
RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

// The steps of run_scenario, for a run on several MPI ranks where only rank 0 writes.
// Creates and locks out_dir and removes an earlier run's outputs from it.
DirectoryLock prepare_output_directory(const std::string& out_dir);
// Runs `run`; with `write_outputs`, with the file writers (and progress unless quiet) as its
// observers, then model.csv and summary.json (last).
RunOutcome run_with_outputs(ScenarioRun& run, const Scenario& scenario, const RunOptions& options,
                            bool write_outputs);

}  // namespace sgdsim
