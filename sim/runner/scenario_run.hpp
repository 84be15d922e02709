// A scenario made ready to run: its data read, its model, algorithm and cluster built, and every
// check a run makes passed (constructing one is the validation pass `sgdsim validate` runs). run()
// simulates it with the observers the caller supplies and returns the results in memory; nothing
// is written to disk here (run_scenario.hpp adds the files).
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "sim/output/summary.hpp"
#include "sim/real/real_options.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/run_result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim {

struct RunSetup {
  int threads = 1;  // for the workers' local steps (sim/run/synchronous_run.hpp); same results
  // Bytes the run may hold (data and replicas); 0: whatever the machine has available then
  double memory_limit_bytes = 0;
  // Set: run for real on this process's MPI world (sim/real/real_run.hpp) instead of simulating.
  std::optional<RealOptions> real;
};

// Refuses (ConfigError at the key) what a real run does not execute: failures, overlapped
// rounds, step averages, algorithms without the `real` capability. Also the check
// `sgdsim validate --real` makes.
void check_real_execution(const Scenario& scenario);

struct RunOutcome {
  RunResult result;
  RunFacts facts;
  nlohmann::ordered_json summary;  // summary.json's content, less `inputs`
  std::vector<double> model;       // the reported model (model.csv's parameters)
};

class ScenarioRun {
 public:
  // Throws ConfigError or DataError (bad input).
  ScenarioRun(const Scenario& scenario, const RunSetup& setup);
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  // Runs once; `stop_requested` (set by a signal handler) interrupts it. A real run: every rank
  // calls it; the outcome is complete on rank 0 (observers are called there only).
  RunOutcome run(RunObserver& observer, const std::atomic<bool>* stop_requested = nullptr);
  // After run(): the reported model as model.csv holds it.
  void write_model(std::ostream& out) const;
  // 0 for a simulation; a real run: this process's MPI rank (only rank 0 writes outputs).
  int rank() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sgdsim
