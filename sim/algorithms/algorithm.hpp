// The interface between the simulated cluster and a training algorithm. The cluster decides *when*
// things happen (and what they cost); the algorithm does the math of each local step and each
// synchronisation, unaware of time.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <vector>

namespace sgdsim {

// The averaged model x̄ measured on the whole training set (and the test set, if any).
struct ModelMetrics {
  double train_loss = 0.0;
  // ‖∇f(x̄)‖² of the full training objective; NaN when not measured (eval.grad_norm: false)
  double grad_norm_sq = 0.0;
  double test_loss = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();

  bool finite() const {
    return std::isfinite(train_loss) && (std::isfinite(grad_norm_sq) || !grad_norm_measured);
  }
  bool grad_norm_measured = true;
};

// What a measurement of the averaged model covers: everything metrics.csv reports, or only the
// training-set figures (eval.step_averages measures those at every step; the test set is not
// needed there).
enum class MeasureScope { train_and_test, train_only };

// Who sends what to whom in a synchronisation: an allreduce among the participants, or each worker
// sending its model to its neighbours (decentralized SGD).
struct Exchange {
  enum class Kind { allreduce, neighbors };
  Kind kind = Kind::allreduce;
  std::vector<std::vector<int>> neighbors;  // neighbors: worker w sends its model to each of these
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual int workers() const = 0;
  virtual std::int64_t steps() const = 0;

  // The math of `worker`'s step-th local step (1-based). False when its model stopped being finite.
  virtual bool local_step(int worker, std::int64_t step) = 0;

  // Whether all workers synchronise once they have completed `step` local steps.
  virtual bool synchronizes_after(std::int64_t step) const = 0;
  // The math of that synchronisation among `participants` (sorted worker ids: the workers that
  // are up), run once all of them have arrived. Other workers' state is left alone.
  virtual void synchronize(std::int64_t step, const std::vector<int>& participants) = 0;
  // A worker coming back after a failure (or not sampled for a round) restarts from the latest
  // average.
  virtual void rejoin(int worker) = 0;

  // The communication pattern of every synchronisation.
  virtual const Exchange& exchange() const {
    static const Exchange allreduce;
    return allreduce;
  }
  // The workers (sorted) that take part in the round-th round (1-based) when the algorithm samples
  // them (fedavg); nullopt: all workers that are up. The others sit the round out and rejoin at
  // its end.
  virtual std::optional<std::vector<int>> sampled_participants(std::int64_t /*round*/) {
    return std::nullopt;
  }
  // Whether a worker that reached a round's step keeps taking local steps (passing that step again
  // to local_step) until the slowest arrives, instead of idling at the barrier.
  virtual bool steps_while_waiting() const { return false; }

  // Averaging that overlaps with local steps (network.overlap): a worker sends its model as of the
  // round's step and goes on; once the collective is done, the average x̄ arrives and the worker
  // keeps the progress it made meanwhile: x ← x̄ + (x − x_sent).
  virtual void begin_delayed_round(int worker) = 0;
  virtual void complete_delayed_round(std::int64_t step, const std::vector<int>& participants) = 0;
  // `steps_since_sent` 0: the worker has not moved, and takes x̄ exactly.
  virtual void apply_delayed_round(int worker, std::int64_t steps_since_sent) = 0;
  // Bytes each worker contributes to one synchronisation (the collective's payload S).
  virtual double sync_payload_bytes() const = 0;

  // Keeps `worker`'s model as of `step`, so that the average at `step` can be measured once every
  // worker has reached it, even though workers reach it at different simulated times.
  virtual void snapshot(int worker, std::int64_t step) = 0;
  // Metrics of the average of the snapshots taken at `step` (which are then released), or of the
  // current replicas when no snapshot was taken at `step`.
  virtual ModelMetrics evaluate_average(std::int64_t step,
                                        MeasureScope scope = MeasureScope::train_and_test) = 0;

  // Writes the model of the latest averaging round (after a complete run: the final average), one
  // parameter per line.
  virtual void write_average(std::ostream& out) const = 0;
};

}  // namespace sgdsim
