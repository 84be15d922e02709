// A worker's local step: a mini-batch gradient at its model and the update of its inner optimizer
// (algorithm.optimizer), each as PyTorch defines it:
// - sgd: plain x ← x − γg, heavy-ball (v ← μv + g; x ← x − γv) or Nesterov (x ← x − γ(g + μv));
// - adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², x ← x − γ·m̂/(√v̂ + ε) with
//   m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), t the optimizer's own step count;
// - adamw: x ← x − γλx, then the Adam step.
// Before the update, g ← g·min(1, C/(‖g‖ + 1e-6)) (clip_norm C, as clip_grad_norm_), then for sgd
// and adam g ← g + λx (weight_decay λ). Decay and clipping touch the trainable entries only, never
// the model state (Objective::num_state()). See worker_state.hpp for what a step may touch.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>

#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/training_problem.hpp"
#include "sim/algorithms/worker_state.hpp"

namespace sgdsim {

struct LocalStepResult {
  double loss;  // the mini-batch's training loss at the model before the step
  bool finite;  // false when the loss or the model stopped being finite
};

template <class Scalar>
class InnerOptimizer {
 public:
  // `spec`'s optimizer, step sizes, momentum and Nesterov flag; `with_momentum` false: sgd without
  // momentum whatever the spec says (algorithms whose rounds have no place for an optimizer
  // state), and std::invalid_argument for adam or adamw.
  InnerOptimizer(const AlgorithmSpec& spec, bool with_momentum);

  // A fresh state for `worker`: the initial model, an empty (zero) state, its batch stream, which
  // draws from and reshuffles `batch_order` (a copy of the worker's shard the caller keeps).
  WorkerState<Scalar> initial_state(const TrainingProblem<Scalar>& problem, int worker,
                                    std::span<std::int64_t> batch_order) const;
  // The step-th local step (1-based) on the worker's next mini-batch.
  LocalStepResult step(const TrainingProblem<Scalar>& problem, WorkerState<Scalar>& worker,
                       std::int64_t step) const;
  // Empties the state: zero buffers, t = 0 (a worker restarting from an average, or
  // momentum_sync: reset).
  void reset(WorkerState<Scalar>& worker) const;
  bool has_momentum() const { return momentum_ != 0.0; }
  bool is_adam() const { return spec_.optimizer != InnerOptimizerKind::sgd; }
  // Whether a worker carries an optimizer state across steps (and so across rounds).
  bool has_state() const { return has_momentum() || is_adam(); }
  // Model-sized vectors in that state: 0, 1 (the momentum buffer) or 2 (Adam's m and v).
  int state_vectors() const { return is_adam() ? 2 : has_momentum() ? 1 : 0; }

 private:
  AlgorithmSpec spec_;
  double momentum_;
};

// g ← g·min(1, C/(‖g‖ + 1e-6)) on the first `trainable` entries (torch.nn.utils.clip_grad_norm_);
// the rest (model state) have a zero gradient and are left alone. C ≤ 0: nothing.
template <class Scalar>
void clip_gradient_norm(Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& gradient, Eigen::Index trainable,
                        double max_norm);

}  // namespace sgdsim
