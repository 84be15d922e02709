#include "sim/algorithms/gossip.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sgdsim {

template <class Scalar>
Gossip<Scalar>::Gossip(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
                       Communicator<Scalar>* communicator, WorkerRange local)
    : ReplicaAlgorithm<Scalar>(std::move(problem), spec, communicator, false, local) {
  Exchange exchange;
  exchange.kind = Exchange::Kind::neighbors;
  exchange.neighbors = gossip_neighbors(spec.graph, this->workers());
  weights_ = metropolis_weights(exchange.neighbors);
  this->set_policy(this->model_bytes(), std::move(exchange));
}

template <class Scalar>
void Gossip<Scalar>::synchronize(std::int64_t step, const std::vector<int>& participants) {
  if (participants.size() != static_cast<std::size_t>(this->workers())) {
    throw std::logic_error(fmt::format("gossip mixes all {} workers, not {} of them",
                                       this->workers(), participants.size()));
  }
  std::vector<Vector*> local;
  const WorkerRange& mine = this->local_workers();
  for (int w = mine.first; w < mine.first + mine.count; ++w)
    local.push_back(&this->mutable_replica(w));
  this->communicator().mix(weights_, local);
  this->set_consensus(step, this->average_of_replicas());
}

template class Gossip<float>;
template class Gossip<double>;

}  // namespace sgdsim
