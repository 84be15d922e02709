// A worker's local step: a mini-batch gradient at its model and the update of its inner optimizer,
// plain SGD x ← x − γg, heavy-ball (v ← μv + g; x ← x − γv) or Nesterov (x ← x − γ(g + μv)).
// See worker_state.hpp for what a step may touch.
#pragma once

#include <cstdint>

#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/training_problem.hpp"
#include "sim/algorithms/worker_state.hpp"

namespace sgdsim {

template <class Scalar>
class InnerOptimizer {
 public:
  // `spec`'s step sizes, momentum and Nesterov flag; `with_momentum` false: plain SGD whatever
  // the spec says (algorithms whose rounds have no place for a buffer).
  InnerOptimizer(const AlgorithmSpec& spec, bool with_momentum);

  // A fresh state for `worker`: the initial model, an empty (zero) buffer, its batch stream.
  WorkerState<Scalar> initial_state(const TrainingProblem<Scalar>& problem, int worker) const;
  // The step-th local step (1-based) on the worker's next mini-batch. False when the loss or the
  // model stopped being finite.
  bool step(const TrainingProblem<Scalar>& problem, WorkerState<Scalar>& worker,
            std::int64_t step) const;
  // Empties the buffer (a worker restarting from an average, or momentum_sync: reset).
  void reset(WorkerState<Scalar>& worker) const;
  bool has_momentum() const { return momentum_ != 0.0; }

 private:
  AlgorithmSpec spec_;
  double momentum_;
};

}  // namespace sgdsim
