// Decentralized SGD (D-PSGD: Lian et al., "Can decentralized algorithms outperform centralized
// algorithms?", NeurIPS 2017, Algorithm 1): every worker takes a local SGD step; after every
// `interval`-th step (default 1, any IntervalSchedule) and after the last, each worker replaces its
// model by a weighted average of its own and its neighbours', all from before the exchange:
//   x_i ← Σ_j W_ij x_j,   W the Metropolis–Hastings weights of the graph (gossip_graph.hpp),
// summed in increasing j so results never depend on event order. W is doubly stochastic, so the
// mean of the models is preserved. The exchange is neighbour to neighbour (each worker sends its
// model to each neighbour at once), not an allreduce. Metrics measure the mean of the replicas,
// which model.csv gets after every round (so also after the last step).
#pragma once

#include "sim/algorithms/gossip_graph.hpp"
#include "sim/algorithms/replica_algorithm.hpp"

namespace sgdsim {

template <class Scalar>
class Gossip final : public ReplicaAlgorithm<Scalar> {
 public:
  using Vector = typename ReplicaAlgorithm<Scalar>::Vector;

  // Throws std::invalid_argument when the graph cannot be laid over the workers (a torus of a
  // prime number of workers).
  Gossip(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
         Communicator<Scalar>* communicator = nullptr, WorkerRange local = {});

  // Every worker mixes: gossip runs without failing workers (the validation pass refuses them).
  void synchronize(std::int64_t step, const std::vector<int>& participants) override;

  const std::vector<MixingRow>& mixing_weights() const { return weights_; }

 private:
  std::vector<MixingRow> weights_;
};

}  // namespace sgdsim
