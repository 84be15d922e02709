#include "sim/algorithms/replica_algorithm.hpp"

#include <limits>
#include <stdexcept>

#include "sim/algorithms/in_process_communicator.hpp"

namespace sgdsim {

template <class Scalar>
ReplicaAlgorithm<Scalar>::ReplicaAlgorithm(TrainingProblem<Scalar> problem,
                                           const AlgorithmSpec& spec,
                                           Communicator<Scalar>* communicator, bool with_momentum,
                                           WorkerRange local)
    : problem_(std::move(problem)),
      spec_(spec),
      own_communicator_(communicator ? nullptr : std::make_unique<InProcessCommunicator<Scalar>>()),
      communicator_(communicator ? communicator : own_communicator_.get()),
      inner_(spec, with_momentum),
      local_(local) {
  const int workers = problem_.workers();
  if (workers < 1) throw std::invalid_argument("at least one worker is needed");
  if (local_.count == 0) local_ = {0, workers};
  const Partition& shards = problem_.shards;
  const std::int64_t first = shards.offset(local_.first);
  batch_orders_.assign(shards.indices().begin() + first,
                       shards.indices().begin() + shards.offset(local_.first + local_.count));
  states_.reserve(local_.count);
  for (int w = local_.first; w < local_.first + local_.count; ++w) {
    const auto order = std::span(batch_orders_).subspan(shards.offset(w) - first, shards[w].size());
    states_.push_back(inner_.initial_state(problem_, w, order));
  }
  if (spec_.interval_schedule.kind == IntervalKind::adaptive) round_losses_.resize(local_.count);
  consensus_ = problem_.initial_params;
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::set_policy(double payload_bytes, Exchange exchange) {
  policy_ = std::make_unique<RoundPolicy>(spec_, workers(), steps(), problem_.seed, payload_bytes,
                                          std::move(exchange));
}

template <class Scalar>
double ReplicaAlgorithm<Scalar>::take_round_loss() {
  if (round_losses_.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> local;
  local.reserve(2 * round_losses_.size());
  for (RoundLoss& worker : round_losses_) {
    local.push_back(worker.sum);
    local.push_back(static_cast<double>(worker.steps));
    worker = {};
  }
  const std::vector<double> sums = communicator_->sum_over_workers(local, 2);
  return sums[1] > 0 ? sums[0] / sums[1] : std::numeric_limits<double>::quiet_NaN();
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::rejoin(int worker) {
  WorkerState<Scalar>& s = state(worker);
  s.model = consensus_;
  inner_.reset(s);
}

template <class Scalar>
std::vector<double> ReplicaAlgorithm<Scalar>::weights_of(
    const std::vector<int>& participants) const {
  std::vector<double> weights;
  if (average_weights_.empty()) return weights;
  weights.reserve(participants.size());
  for (int w : participants) weights.push_back(average_weights_[w]);
  return weights;
}

template <class Scalar>
std::vector<const typename ReplicaAlgorithm<Scalar>::Vector*>
ReplicaAlgorithm<Scalar>::local_vectors(const std::vector<int>& participants,
                                        StateVector which) const {
  std::vector<const Vector*> vectors;
  vectors.reserve(participants.size());
  for (int w : participants) {
    if (local_.contains(w)) vectors.push_back(&state_vector(state(w), which));
  }
  return vectors;
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::average_member(const std::vector<int>& participants,
                                              StateVector which, Vector& mean) {
  communicator_->average(participants, weights_of(participants), local_vectors(participants, which),
                         mean);
  for (int w : participants) {
    if (local_.contains(w)) state_vector(state(w), which) = mean;
  }
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::average_models(std::int64_t step,
                                              const std::vector<int>& participants) {
  average_member(participants, StateVector::model, consensus_);
  consensus_step_ = step;
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::set_consensus(std::int64_t step, const Vector& model) {
  consensus_ = model;
  consensus_step_ = step;
}

template <class Scalar>
typename ReplicaAlgorithm<Scalar>::Vector ReplicaAlgorithm<Scalar>::average_of_replicas() {
  std::vector<int> everyone(workers());
  for (int w = 0; w < workers(); ++w) everyone[w] = w;
  Vector mean(num_params());
  communicator_->average(everyone, weights_of(everyone),
                         local_vectors(everyone, StateVector::model), mean);
  return mean;
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::complete_delayed_round(std::int64_t step,
                                                      const std::vector<int>& participants) {
  std::vector<const Vector*> sent;
  for (int w : participants) {
    if (local_.contains(w)) sent.push_back(&sent_[w - local_.first]);
  }
  communicator_->average(participants, weights_of(participants), sent, consensus_);
  consensus_step_ = step;
}

template <class Scalar>
void ReplicaAlgorithm<Scalar>::apply_delayed_round(int worker, std::int64_t steps_since_sent) {
  Vector& x = mutable_replica(worker);
  if (steps_since_sent == 0) {
    x = consensus_;  // x̄ + (x − x) would round
  } else {
    x += consensus_ - sent_[worker - local_.first];
  }
}

template class ReplicaAlgorithm<float>;
template class ReplicaAlgorithm<double>;

}  // namespace sgdsim
