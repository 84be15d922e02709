// Parallel Restarted SGD (Yu, Yang & Zhu, AAAI 2019, Algorithm 1), a.k.a. local SGD: every worker
// runs SGD on its own mini-batches; after every I-th step (and after the last) all replicas are
// replaced by their exact average. I = 1 is parallel mini-batch SGD. When to average follows the
// spec's IntervalSchedule (fixed I, theory, post_local, adaptive or a list of phases).
//
// The same class runs the variants that differ only in a round's bookkeeping:
// - momentum (Yu, Jin & Yang, ICML 2019): heavy-ball or Nesterov buffers, averaged, kept or reset;
// - while_waiting: local_steps (the paper's heterogeneous variant): workers waiting at the barrier
//   keep stepping, so rounds average models of unequal local step counts;
// - slowmo / diloco: an outer optimizer turns each round's average into the next starting model;
// - fedavg (McMahan et al. 2017): K of N workers, sampled per round with the seed, take part, and
//   the average weights each by its shard size;
// - hierarchical_local_sgd (Lin et al. 2020; PyTorch's HierarchicalModelAverager): at group
//   rounds (RoundPolicy levels) each group of consecutive workers averages among itself, leaving
//   the consensus alone; global rounds are the plain average;
// - weighting: samples (any of them): every average, and the averaged model measured, weigh
//   worker i by its shard size nᵢ/n, so that the pooled training objective is the one minimised.
#pragma once

#include <optional>

#include "sim/algorithms/outer_optimizer.hpp"
#include "sim/algorithms/replica_algorithm.hpp"

namespace sgdsim {

template <class Scalar>
class LocalSgd final : public ReplicaAlgorithm<Scalar> {
 public:
  using Vector = typename ReplicaAlgorithm<Scalar>::Vector;

  LocalSgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
           Communicator<Scalar>* communicator = nullptr, WorkerRange local = {});

  void synchronize(std::int64_t step, const std::vector<int>& participants) override;

 private:
  void average_round(std::int64_t step, const std::vector<int>& participants);
  // As momentum_sync says, among `participants`.
  void synchronize_momentum(const std::vector<int>& participants);

  std::optional<OuterOptimizer<Scalar>> outer_;  // slowmo, diloco
};

}  // namespace sgdsim
