// Runs a sweep's runs several at a time (one thread each; every run is independent and seeded,
// so the results do not depend on how many run at once), skipping runs that already finished:
// a run directory whose summary.json says ok or diverged *for the same resolved scenario* is
// kept, so an interrupted sweep resumes where it stopped and an edited sweep redoes only what
// changed. Writes runs.csv and aggregate.csv (sim/sweep/sweep_tables.hpp) at the end, also after
// an interruption.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_tables.hpp"

namespace sgdsim {

// A sweep spread over several processes (MPI ranks, `mpirun -np K sgdsim sweep`): process r runs
// the pending runs r, r + K, r + 2K, …; process 0 alone locks the directory and writes the tables.
// The hooks are the processes' collectives (sim/real/mpi_sweep.hpp); every process calls each.
struct SweepShare {
  int rank = 0;
  int ranks = 1;
  // True when every process passed `ok` (process 0: the directory is ready; all: they scanned it).
  std::function<bool(bool ok)> all_ok;
  // On return, process 0's `records` holds every process's records of the runs it ran.
  std::function<void(std::vector<SweepRunRecord>& records, const std::vector<std::size_t>& mine)>
      gather;
};

struct SweepOptions {
  std::string out_dir;  // empty: in memory, nothing written, nothing resumed (the Python module)
  int jobs = 1;         // runs at once (per process)
  bool quiet = false;
  const std::atomic<bool>* stop_requested = nullptr;
  std::optional<SweepShare> share;  // null: this process runs the whole sweep
  // Hears each run this process finishes (under a lock: one at a time), with its record.
  std::function<void(const SweepRun&, const SweepRunRecord&)> on_run_done;
};

struct SweepOutcome {
  std::size_t ran = 0;
  std::size_t skipped = 0;  // finished by an earlier invocation
  std::size_t diverged = 0;
  std::size_t failed = 0;   // bad input found only when running (e.g. a data file)
  std::size_t not_run = 0;  // interrupted before they started, or cut short
  bool interrupted = false;
  std::vector<SweepRunRecord> records;  // one per run of the plan, in its order
  std::string runs_csv, aggregate_csv;  // the tables' text (also written when out_dir is set)
};

// With a share, the outcome's counts are the whole sweep's on process 0 and its own elsewhere.
// Throws std::runtime_error when another process of the share failed to start.
SweepOutcome run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace sgdsim
