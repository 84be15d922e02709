// Runs a sweep's runs several at a time (one thread each; every run is independent and seeded,
// so the results do not depend on how many run at once), skipping runs that already finished:
// a run directory whose summary.json says ok or diverged *for the same resolved scenario* is
// kept, so an interrupted sweep resumes where it stopped and an edited sweep redoes only what
// changed. Writes runs.csv and aggregate.csv (sim/sweep/sweep_tables.hpp) at the end, also after
// an interruption.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "sim/sweep/sweep_plan.hpp"

namespace sgdsim {

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;  // runs at once
  bool quiet = false;
  const std::atomic<bool>* stop_requested = nullptr;
};

struct SweepOutcome {
  std::size_t ran = 0;
  std::size_t skipped = 0;  // finished by an earlier invocation
  std::size_t diverged = 0;
  std::size_t failed = 0;   // bad input found only when running (e.g. a data file)
  std::size_t not_run = 0;  // interrupted before they started, or cut short
  bool interrupted = false;
};

SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace sgdsim
