// The interface between a driver (the simulated cluster's SynchronousRun, or a real run on MPI
// ranks) and a training algorithm whose workers meet in rounds. The driver decides *when* things
// happen (and, simulated, what they cost) and measures the model; the algorithm does the math of
// each local step and each round, on the workers this process holds, unaware of time.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/algorithms/round_policy.hpp"

namespace sgdsim {

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual int workers() const = 0;
  virtual std::int64_t steps() const = 0;
  virtual RoundPolicy& rounds() = 0;

  // The math of `worker`'s step-th local step (1-based). False when its model stopped being
  // finite. Thread safety: see worker_state.hpp.
  virtual bool local_step(int worker, std::int64_t step) = 0;
  // The math of the round after `step` among `participants` (sorted worker ids: the workers that
  // are up), run once all of them have arrived. Other workers' state is left alone.
  virtual void synchronize(std::int64_t step, const std::vector<int>& participants) = 0;
  // The mean mini-batch loss of every local step since the previous call (NaN when none).
  virtual double take_round_loss() = 0;
  // A worker coming back after a failure (or not sampled for a round) restarts from the latest
  // average.
  virtual void rejoin(int worker) = 0;

  // Averaging that overlaps with local steps (network.overlap): a worker sends its model as of the
  // round's step and goes on; once the collective is done, the average x̄ arrives and the worker
  // keeps the progress it made meanwhile: x ← x̄ + (x − x_sent).
  virtual void begin_delayed_round(int worker) = 0;
  virtual void complete_delayed_round(std::int64_t step, const std::vector<int>& participants) = 0;
  // `steps_since_sent` 0: the worker has not moved, and takes x̄ exactly.
  virtual void apply_delayed_round(int worker, std::int64_t steps_since_sent) = 0;
};

}  // namespace sgdsim
