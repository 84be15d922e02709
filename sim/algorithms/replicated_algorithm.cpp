#include "sim/algorithms/replicated_algorithm.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/batched_evaluation.hpp"
#include "sim/algorithms/model_output.hpp"

namespace sgdsim {

template <class Scalar>
ReplicatedAlgorithm<Scalar>::ReplicatedAlgorithm(TrainingProblem<Scalar> problem,
                                                 std::int64_t batch_size)
    : problem_(std::move(problem)), averager_(std::make_unique<InMemoryAverager<Scalar>>()) {
  const auto workers = static_cast<int>(problem_.shards.size());
  if (workers < 1) throw std::invalid_argument("at least one worker is needed");
  replicas_.assign(workers, problem_.initial_params);
  last_average_ = problem_.initial_params;
  sent_.resize(workers);
  round_loss_sum_.assign(workers, 0.0);
  round_loss_steps_.assign(workers, 0);
  samplers_.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    samplers_.emplace_back(problem_.shards[w], batch_size,
                           derive_seed(problem_.seed, "batches", w));
  }
}

template <class Scalar>
Scalar ReplicatedAlgorithm<Scalar>::stochastic_gradient(int worker, Vector& grad) {
  BatchSampler& sampler = samplers_[worker];
  Scalar loss;
  if (sampler.full_batch()) {
    loss = static_cast<Scalar>(chunked_loss_and_gradient(
        *problem_.objective, replicas_[worker], problem_.data->train, &sampler.next(), grad));
  } else {
    const auto& indices = sampler.next();
    StepScratch& batch = scratch();
    gather_columns(problem_.data->train, indices, 0, static_cast<std::int64_t>(indices.size()),
                   batch.features, batch.targets);
    loss = problem_.objective->loss_and_gradient(replicas_[worker], batch.features, batch.targets,
                                                 grad);
  }
  round_loss_sum_[worker] += static_cast<double>(loss);
  ++round_loss_steps_[worker];
  return loss;
}

template <class Scalar>
bool ReplicatedAlgorithm<Scalar>::sgd_step(int worker, double lr) {
  Vector& g = scratch().gradient;
  const Scalar loss = stochastic_gradient(worker, g);
  Vector& x = replicas_[worker];
  x -= static_cast<Scalar>(lr) * g;
  return finite(loss, x);
}

template <class Scalar>
double ReplicatedAlgorithm<Scalar>::take_round_loss() {
  double sum = 0.0;
  std::int64_t steps = 0;
  for (std::size_t w = 0; w < round_loss_sum_.size(); ++w) {
    sum += round_loss_sum_[w];
    steps += round_loss_steps_[w];
    round_loss_sum_[w] = 0.0;
    round_loss_steps_[w] = 0;
  }
  return steps > 0 ? sum / static_cast<double>(steps) : std::numeric_limits<double>::quiet_NaN();
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::average_among(std::vector<Vector>& vectors,
                                                const std::vector<int>& participants) {
  std::vector<Vector*> pointers;
  pointers.reserve(participants.size());
  for (int w : participants) pointers.push_back(&vectors[w]);
  if (average_weights_.empty()) {
    averager_->average(pointers);
    return;
  }
  std::vector<double> weights;
  weights.reserve(participants.size());
  for (int w : participants) weights.push_back(average_weights_[w]);
  averager_->weighted_average(pointers, weights);
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::average_models(std::int64_t step,
                                                 const std::vector<int>& participants) {
  average_among(replicas_, participants);
  last_average_ = replicas_[participants.front()];
  last_average_step_ = step;
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::set_consensus(std::int64_t step, const Vector& model) {
  last_average_ = model;
  last_average_step_ = step;
}

template <class Scalar>
typename ReplicatedAlgorithm<Scalar>::Vector ReplicatedAlgorithm<Scalar>::mean_of(
    const std::vector<Vector>& vectors) const {
  if (!average_weights_.empty() && vectors.size() > 1) {  // as InMemoryAverager weighs them
    std::vector<Vector> copies = vectors;
    std::vector<Vector*> pointers;
    for (Vector& copy : copies) pointers.push_back(&copy);
    InMemoryAverager<Scalar>().weighted_average(pointers, average_weights_);
    return std::move(copies.front());
  }
  Vector mean = vectors[0];
  for (std::size_t i = 1; i < vectors.size(); ++i) mean += vectors[i];
  if (vectors.size() > 1) mean /= static_cast<Scalar>(vectors.size());
  return mean;
}

template <class Scalar>
typename ReplicatedAlgorithm<Scalar>::Vector ReplicatedAlgorithm<Scalar>::average_of_replicas()
    const {
  return mean_of(replicas_);
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::complete_delayed_round(std::int64_t step,
                                                         const std::vector<int>& participants) {
  std::vector<Vector> sent;
  sent.reserve(participants.size());
  for (int w : participants) sent.push_back(sent_[w]);
  std::vector<int> all(sent.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  average_among(sent, all);
  last_average_ = std::move(sent.front());
  last_average_step_ = step;
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::apply_delayed_round(int worker, std::int64_t steps_since_sent) {
  if (steps_since_sent == 0) {
    replicas_[worker] = last_average_;  // x̄ + (x − x) would round
  } else {
    replicas_[worker] += last_average_ - sent_[worker];
  }
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::snapshot(int worker, std::int64_t step) {
  auto& slots = snapshots_[step];
  if (slots.empty()) slots.resize(replicas_.size());
  slots[worker] = replicas_[worker];
}

template <class Scalar>
ModelMetrics ReplicatedAlgorithm<Scalar>::evaluate_average(std::int64_t step, MeasureScope scope) {
  Vector average;
  if (evaluates_consensus()) {
    snapshots_.erase(step);
    average = last_average_;
  } else if (auto it = snapshots_.find(step); it != snapshots_.end()) {
    average = mean_of(it->second);
    snapshots_.erase(it);
  } else if (step == last_average_step_) {  // right after a round: what its participants agreed on
    average = last_average_;
  } else {
    average = average_of_replicas();
  }
  return measure_model(*problem_.objective, problem_.evaluation_set(), problem_.data->test, average,
                       problem_.threads, problem_.measure_grad_norm, scope);
}

template <class Scalar>
void ReplicatedAlgorithm<Scalar>::write_average(std::ostream& out) const {
  write_parameters(out, last_average_);
}

template class ReplicatedAlgorithm<float>;
template class ReplicatedAlgorithm<double>;

}  // namespace sgdsim
