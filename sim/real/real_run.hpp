// Drives an algorithm whose workers meet in rounds on real MPI ranks, timed by the steady clock:
// each rank runs the local steps of its workers (in worker order, one after another), every rank
// meets the others at each round's step (the barrier: idle time), and the round's math goes
// through the MPI communicator (communication time).
//
// Time is measured as the simulator accounts it, so that the two can be compared: per worker,
// compute (its own steps), communication (the round's collective and its loss reduction) and idle
// (from its last step of a phase until every rank has arrived, a whole round sat out, and, where
// a rank holds several workers, which take turns on it, the wait for its turn), which add up to
// the run's timed elapsed time. Measuring x̄ for metrics needs collectives the real
// algorithm would not make: those pauses are excluded from every timed figure (the clock stops)
// and reported apart, as measurement_s.
//
// Emulated compute: after its math, a step waits until it has lasted what the compute model draws
// for it (std::this_thread::sleep_until: no CPU). Each worker keeps its own emulated timeline, so
// that R ranks of N/R workers behave as N workers would, as long as a rank's workers' math fits
// in their drawn times (late_s reports by how much it did not).
//
// Stop requests (SIGINT, SIGTERM) and divergence are agreed on at every round (one small
// reduction, within the barrier), so that every rank stops at the same round.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/algorithms/replica_algorithm.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/real/mpi_world.hpp"
#include "sim/run/model_probe.hpp"
#include "sim/run/run_observer.hpp"
#include "sim/run/run_result.hpp"

namespace sgdsim {

struct RealRunResult {
  RunResult result;            // on rank 0: every worker's times; elsewhere: this rank's only
  double measurement_s = 0.0;  // time spent measuring x̄ (excluded from `result`'s times)
  double wall_s = 0.0;         // everything, measurements included
  // On rank 0: each rank's timed elapsed time, the one its workers' times add up to. They differ
  // by how long each rank's measurement pauses were (result.sim_time is rank 0's).
  std::vector<double> rank_elapsed_s;
  // Emulated compute: how much longer than drawn this rank's steps took (their math, or a rank's
  // several workers' math in turn, exceeded the draws); 0 when the emulation was exact.
  double late_s = 0.0;
};

class RealRun {
 public:
  // `local`: this rank's workers. `emulated`: the compute model to emulate (null: the steps take
  // what their math takes). `network`: only to report the bytes the modelled collective sends.
  // Observer callbacks happen on rank 0 only; per-worker spans arrive at the end of the run.
  RealRun(Algorithm& algorithm, WorkerRange local, ModelProbe& probe, const MpiWorld& world,
          ComputeModel* emulated, Network& network, double payload_bytes, std::int64_t eval_every,
          RunObserver& observer, const std::atomic<bool>* stop_requested);

  RealRunResult run();

 private:
  using Clock = std::chrono::steady_clock;
  struct Span {
    int worker;
    std::int64_t step;  // 0 for a wait
    double start, end;  // timed seconds since the start
  };

  double timed_now() const;  // seconds since the start, less the measurement pauses
  void sleep_until(double timed_seconds) const;
  void local_phase(std::int64_t& step, const std::vector<bool>& active);
  void measure(std::int64_t step);
  // The barrier of a round, with the agreement on stopping: false when the run ends here.
  bool meet(std::int64_t step);
  void keep_stepping(std::int64_t step, std::int64_t* flags);
  void round(std::int64_t step, const std::vector<int>& participants);
  void gather_times();
  void replay_spans();

  Algorithm& algorithm_;
  WorkerRange local_;
  ModelProbe& probe_;
  const MpiWorld& world_;
  ComputeModel* emulated_;
  Network& network_;
  double payload_bytes_;
  std::int64_t eval_every_;
  RunObserver& observer_;
  const std::atomic<bool>* stop_requested_;

  Clock::time_point start_;
  double paused_s_ = 0.0;
  RealRunResult out_;
  std::vector<bool> active_;     // per local worker: takes part in the running round
  std::vector<double> ready_;    // per local worker: when its latest step ended (timed seconds)
  std::vector<double> virtual_;  // emulated: each local worker's own timeline
  double phase_start_ = 0.0;
  std::int64_t first_bad_step_ = -1;  // the first step at which a local model stopped being finite
  int bad_worker_ = -1;
  std::vector<Span> spans_;  // this rank's compute and wait spans, for the trace
  struct Round {
    std::int64_t round;
    double start, duration;
    double bytes_sent;
  };
  std::vector<Round> rounds_;
};

}  // namespace sgdsim
