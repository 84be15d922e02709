#include "sim/algorithms/async_sgd.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "models/elementwise.hpp"
#include "models/rng.hpp"
#include "sim/algorithms/inner_optimizer.hpp"
#include "sim/algorithms/model_output.hpp"

namespace sgdsim {

template <class Scalar>
AsyncSgd<Scalar>::AsyncSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : problem_(std::move(problem)), spec_(spec), server_(problem_.initial_params) {
  const auto workers = static_cast<int>(problem_.shards.size());
  if (workers < 1) throw std::invalid_argument("at least one worker is needed");
  pulled_.assign(workers, server_);
  pulled_version_.assign(workers, 0);
  gradients_.resize(workers);
  batches_.resize(workers);
  batch_orders_ = problem_.shards.indices();
  samplers_.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    // The stream a local SGD worker w draws from, so that N = 1 is plain SGD.
    const auto order =
        std::span(batch_orders_).subspan(problem_.shards.offset(w), problem_.shards[w].size());
    samplers_.emplace_back(order, spec.batch_size, derive_seed(problem_.seed, "batches", w));
    augment_rngs_.emplace_back(derive_seed(problem_.seed, "augment", w));
  }
}

template <class Scalar>
void AsyncSgd<Scalar>::pull(int worker) {
  pulled_[worker] = server_;
  pulled_version_[worker] = version_;
}

template <class Scalar>
bool AsyncSgd<Scalar>::compute_gradient(int worker) {
  BatchSampler& sampler = samplers_[worker];
  Vector& grad = gradients_[worker];
  double loss = 0.0;
  if (sampler.full_batch()) {
    loss = chunked_loss_and_gradient(*problem_.objective, pulled_[worker], problem_.data->train,
                                     sampler.order(), grad);
  } else {
    const auto indices = sampler.next(straddle_);
    BatchBuffer& batch = batches_[worker];
    gather_columns(problem_.data->train, indices, 0, static_cast<std::int64_t>(indices.size()),
                   batch.features, batch.targets);
    problem_.augment_batch(batch.features, augment_rngs_[worker]);
    loss = static_cast<double>(problem_.objective->training_loss_and_gradient(
        pulled_[worker], batch.features, batch.targets, grad));
  }
  // The worker clips its gradient and adds the decay of the copy it computed it at.
  const Eigen::Index trainable = problem_.objective->num_trainable();
  clip_gradient_norm(grad, trainable, spec_.clip_norm);
  if (spec_.weight_decay != 0.0) {
    grad.head(trainable) +=
        static_cast<Scalar>(spec_.weight_decay) * pulled_[worker].head(trainable);
  }
  return std::isfinite(loss) && grad.allFinite();
}

template <class Scalar>
AppliedUpdate AsyncSgd<Scalar>::apply(int worker, std::int64_t step) {
  const auto lr = static_cast<Scalar>(spec_.lr_at(step));
  // server -= lr * gradient, by the pass synchronous SGD updates with (N = 1 is SGD bit for bit)
  elementwise::subtract_scaled(server_.data(), gradients_[worker].data(), lr, server_.size());
  // Model state (batch-norm statistics) is not a gradient: the server takes the pushing worker's.
  const Eigen::Index state = problem_.objective->num_state();
  server_.tail(state) = pulled_[worker].tail(state);
  AppliedUpdate update;
  update.staleness = version_ - pulled_version_[worker];
  update.finite = server_.allFinite();
  ++version_;
  return update;
}

template <class Scalar>
ModelMetrics AsyncSgd<Scalar>::evaluate() const {
  return measure_model(*problem_.objective, problem_.evaluation_set(), problem_.data->test, server_,
                       problem_.threads, problem_.measure_grad_norm);
}

template <class Scalar>
double AsyncSgd<Scalar>::payload_bytes() const {
  return static_cast<double>(server_.size()) * sizeof(Scalar);
}

template <class Scalar>
void AsyncSgd<Scalar>::write_model(std::ostream& out) const {
  write_parameters(out, server_);
}

template class AsyncSgd<float>;
template class AsyncSgd<double>;

}  // namespace sgdsim
