#include "sim/algorithms/gossip.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace sgdsim {

template <class Scalar>
Gossip<Scalar>::Gossip(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec)
    : ReplicatedAlgorithm<Scalar>(std::move(problem), spec.batch_size),
      spec_(spec),
      schedule_(spec.interval_schedule, spec.interval, this->steps()) {
  exchange_.kind = Exchange::Kind::neighbors;
  exchange_.neighbors = gossip_neighbors(spec.graph, this->workers());
  weights_ = metropolis_weights(exchange_.neighbors);
  mixed_.resize(this->workers());
}

template <class Scalar>
bool Gossip<Scalar>::local_step(int worker, std::int64_t step) {
  return this->sgd_step(worker, spec_.lr_at(step));
}

template <class Scalar>
bool Gossip<Scalar>::synchronizes_after(std::int64_t step) const {
  return schedule_.synchronizes_after(step);
}

template <class Scalar>
void Gossip<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  if (participants.size() != static_cast<std::size_t>(this->workers())) {
    throw std::logic_error(fmt::format("gossip mixes all {} workers, not {} of them",
                                       this->workers(), participants.size()));
  }
  for (int i = 0; i < this->workers(); ++i) {
    Vector& mixed = mixed_[i];
    mixed.setZero(this->num_params());
    for (const auto& [j, w] : weights_[i]) mixed += static_cast<Scalar>(w) * this->replica(j);
  }
  for (int i = 0; i < this->workers(); ++i) this->mutable_replica(i).swap(mixed_[i]);
  this->set_consensus(step, this->average_of_replicas());

  schedule_.on_round_end(step, this->take_round_loss());
}

template <class Scalar>
double Gossip<Scalar>::sync_payload_bytes() const {
  return this->model_bytes();
}

template class Gossip<float>;
template class Gossip<double>;

}  // namespace sgdsim
