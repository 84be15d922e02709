#include "sim/algorithms/inner_optimizer.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "models/batched_evaluation.hpp"
#include "models/elementwise.hpp"
#include "models/rng.hpp"

namespace sgdsim {
namespace {

// Scratch space of one local step (the mini-batch and its gradient): one per thread, not per
// worker, so that a thousand workers cost a thousand models, not a thousand batches.
template <class Scalar>
struct StepScratch {
  typename Dataset<Scalar>::Matrix features;
  typename Dataset<Scalar>::Vector targets;
  typename Objective<Scalar>::Vector gradient;
  std::vector<std::int64_t> straddle;  // a mini-batch across two epochs (BatchSampler::next)
};

template <class Scalar>
StepScratch<Scalar>& scratch() {
  thread_local StepScratch<Scalar> per_thread;
  return per_thread;
}

// Whether a loss and a model are finite. The model's sum is finite iff every parameter is (unless
// a diverging model's sum overflows, which is reported as the divergence it is): one vectorised
// read, a tenth of a small model's step cheaper than allFinite() (bench/overhead_bench.cpp).
template <class Scalar, class Vector>
bool finite(Scalar loss, const Vector& model) {
  return std::isfinite(static_cast<double>(loss)) &&
         std::isfinite(elementwise::sum(model.data(), model.size()));
}

// One Adam or AdamW step on the first `trainable` entries of x, with the worker's m, v and t.
template <class Scalar, class Vector>
void adam_update(const AlgorithmSpec& spec, double lr, Eigen::Index trainable, Vector& g,
                 Vector& model, OptimizerState<Scalar>& state) {
  auto x = model.head(trainable);
  auto gt = g.head(trainable);
  if (spec.weight_decay != 0.0) {
    if (spec.optimizer == InnerOptimizerKind::adamw) {
      x *= static_cast<Scalar>(1.0 - lr * spec.weight_decay);
    } else {
      gt += static_cast<Scalar>(spec.weight_decay) * x;
    }
  }
  const auto t = static_cast<double>(++state.step);
  auto m = state.momentum.head(trainable);
  auto v = state.second_moment.head(trainable);
  m = static_cast<Scalar>(spec.beta1) * m + static_cast<Scalar>(1.0 - spec.beta1) * gt;
  v = static_cast<Scalar>(spec.beta2) * v +
      static_cast<Scalar>(1.0 - spec.beta2) * gt.cwiseProduct(gt);
  // PyTorch's order: step_size = γ/(1 − β₁ᵗ), denominator √v/√(1 − β₂ᵗ) + ε.
  const auto step_size = static_cast<Scalar>(lr / (1.0 - std::pow(spec.beta1, t)));
  const auto correction2_sqrt = static_cast<Scalar>(std::sqrt(1.0 - std::pow(spec.beta2, t)));
  const auto epsilon = static_cast<Scalar>(spec.epsilon);
  x.array() -= step_size * m.array() / (v.array().sqrt() / correction2_sqrt + epsilon);
}

}  // namespace

template <class Scalar>
void clip_gradient_norm(Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& gradient, Eigen::Index trainable,
                        double max_norm) {
  if (max_norm <= 0.0) return;
  const double norm = static_cast<double>(gradient.head(trainable).norm());
  const double coefficient = max_norm / (norm + 1e-6);
  if (coefficient < 1.0) gradient.head(trainable) *= static_cast<Scalar>(coefficient);
}

template void clip_gradient_norm<float>(Eigen::Matrix<float, Eigen::Dynamic, 1>&, Eigen::Index,
                                        double);
template void clip_gradient_norm<double>(Eigen::Matrix<double, Eigen::Dynamic, 1>&, Eigen::Index,
                                         double);

template <class Scalar>
InnerOptimizer<Scalar>::InnerOptimizer(const AlgorithmSpec& spec, bool with_momentum)
    : spec_(spec),
      momentum_(with_momentum && spec.optimizer == InnerOptimizerKind::sgd ? spec.momentum : 0.0) {
  if (!with_momentum && is_adam()) {
    throw std::invalid_argument("this algorithm takes sgd steps; it has no place for Adam's state");
  }
}

template <class Scalar>
WorkerState<Scalar> InnerOptimizer<Scalar>::initial_state(
    const TrainingProblem<Scalar>& problem, int worker, std::span<std::int64_t> batch_order) const {
  WorkerState<Scalar> state(
      problem.initial_params,
      BatchSampler(batch_order, spec_.batch_size, derive_seed(problem.seed, "batches", worker)));
  const Eigen::Index n = problem.objective->num_params();
  if (has_state()) {
    state.optimizer = std::make_unique<OptimizerState<Scalar>>();
    state.optimizer->momentum.setZero(n);
    if (is_adam()) state.optimizer->second_moment.setZero(n);
  }
  if (problem.augment.enabled()) {
    state.augment_rng = std::make_unique<Rng>(derive_seed(problem.seed, "augment", worker));
  }
  return state;
}

template <class Scalar>
LocalStepResult InnerOptimizer<Scalar>::step(const TrainingProblem<Scalar>& problem,
                                             WorkerState<Scalar>& worker, std::int64_t step) const {
  StepScratch<Scalar>& space = scratch<Scalar>();
  auto& g = space.gradient;
  auto& x = worker.model;
  Scalar loss;
  if (worker.sampler.full_batch()) {
    loss = static_cast<Scalar>(chunked_loss_and_gradient(*problem.objective, x, problem.data->train,
                                                         worker.sampler.order(), g));
  } else {
    const auto indices = worker.sampler.next(space.straddle);
    gather_columns(problem.data->train, indices, 0, static_cast<std::int64_t>(indices.size()),
                   space.features, space.targets);
    if (worker.augment_rng) problem.augment_batch(space.features, *worker.augment_rng);
    loss = problem.objective->training_loss_and_gradient(x, space.features, space.targets, g);
  }
  const auto loss_value = static_cast<double>(loss);

  const Eigen::Index trainable = problem.objective->num_trainable();
  clip_gradient_norm(g, trainable, spec_.clip_norm);
  if (is_adam()) {
    adam_update(spec_, spec_.lr_at(step), trainable, g, x, *worker.optimizer);
    return {loss_value, finite(loss, x)};
  }
  if (spec_.weight_decay != 0.0) {
    g.head(trainable) += static_cast<Scalar>(spec_.weight_decay) * x.head(trainable);
  }
  const auto lr = static_cast<Scalar>(spec_.lr_at(step));
  if (has_momentum()) {
    auto& v = worker.optimizer->momentum;
    const auto mu = static_cast<Scalar>(momentum_);
    v = mu * v + g;
    if (spec_.nesterov) {
      x -= lr * (g + mu * v);
    } else {
      x -= lr * v;
    }
  } else {
    elementwise::subtract_scaled(x.data(), g.data(), lr, x.size());  // x -= lr * g
  }
  return {loss_value, finite(loss, x)};
}

template <class Scalar>
void InnerOptimizer<Scalar>::reset(WorkerState<Scalar>& worker) const {
  if (!worker.optimizer) return;
  worker.optimizer->momentum.setZero();
  if (is_adam()) {
    worker.optimizer->second_moment.setZero();
    worker.optimizer->step = 0;
  }
}

template class InnerOptimizer<float>;
template class InnerOptimizer<double>;

}  // namespace sgdsim
