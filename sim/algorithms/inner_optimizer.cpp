#include "sim/algorithms/inner_optimizer.hpp"

#include <cmath>

#include "models/batched_evaluation.hpp"
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
         std::isfinite(static_cast<double>(model.sum()));
}

}  // namespace

template <class Scalar>
InnerOptimizer<Scalar>::InnerOptimizer(const AlgorithmSpec& spec, bool with_momentum)
    : spec_(spec), momentum_(with_momentum ? spec.momentum : 0.0) {}

template <class Scalar>
WorkerState<Scalar> InnerOptimizer<Scalar>::initial_state(const TrainingProblem<Scalar>& problem,
                                                          int worker) const {
  WorkerState<Scalar> state(problem.initial_params,
                            BatchSampler(problem.shards[worker], spec_.batch_size,
                                         derive_seed(problem.seed, "batches", worker)));
  if (has_momentum()) state.momentum.setZero(problem.objective->num_params());
  state.augment_rng = Rng(derive_seed(problem.seed, "augment", worker));
  return state;
}

template <class Scalar>
bool InnerOptimizer<Scalar>::step(const TrainingProblem<Scalar>& problem,
                                  WorkerState<Scalar>& worker, std::int64_t step) const {
  StepScratch<Scalar>& space = scratch<Scalar>();
  auto& g = space.gradient;
  auto& x = worker.model;
  Scalar loss;
  if (worker.sampler.full_batch()) {
    loss = static_cast<Scalar>(chunked_loss_and_gradient(*problem.objective, x, problem.data->train,
                                                         &worker.sampler.next(), g));
  } else {
    const auto& indices = worker.sampler.next();
    gather_columns(problem.data->train, indices, 0, static_cast<std::int64_t>(indices.size()),
                   space.features, space.targets);
    problem.augment_batch(space.features, worker.augment_rng);
    loss = problem.objective->loss_and_gradient(x, space.features, space.targets, g);
  }
  worker.round_loss_sum += static_cast<double>(loss);
  ++worker.round_loss_steps;

  const auto lr = static_cast<Scalar>(spec_.lr_at(step));
  if (has_momentum()) {
    auto& v = worker.momentum;
    const auto mu = static_cast<Scalar>(momentum_);
    v = mu * v + g;
    if (spec_.nesterov) {
      x -= lr * (g + mu * v);
    } else {
      x -= lr * v;
    }
  } else {
    x -= lr * g;
  }
  return finite(loss, x);
}

template <class Scalar>
void InnerOptimizer<Scalar>::reset(WorkerState<Scalar>& worker) const {
  if (has_momentum()) worker.momentum.setZero();
}

template class InnerOptimizer<float>;
template class InnerOptimizer<double>;

}  // namespace sgdsim
