// Synchronous elastic averaging SGD (Zhang, Choromanska & LeCun, "Deep learning with elastic
// averaging SGD", NeurIPS 2015, Algorithm 1 in its synchronous form): workers take plain SGD steps;
// at every synchronisation, with moving rate α and participants P, using the values from before it,
//   x_i ← x_i − α(x_i − x̃)          for every i ∈ P,
//   x̃  ← x̃ + α Σ_{i∈P} (x_i − x̃).
// The elastic force moves x̃ + Σ x_i by nothing. The centre x̃ starts at the initial model, is
// what metrics measure and model.csv holds, and is where a rejoining worker restarts. The sum is
// one allreduce of a model-sized vector, after which every worker updates its own copy of x̃.
#pragma once

#include "sim/algorithms/replica_algorithm.hpp"

namespace sgdsim {

template <class Scalar>
class Easgd final : public ReplicaAlgorithm<Scalar> {
 public:
  using Vector = typename ReplicaAlgorithm<Scalar>::Vector;

  Easgd(TrainingProblem<Scalar> problem, const AlgorithmSpec& spec,
        Communicator<Scalar>* communicator = nullptr, WorkerRange local = {});

  void synchronize(std::int64_t step, const std::vector<int>& participants) override;
  bool reports_consensus() const override { return true; }

  const Vector& centre() const { return this->consensus(); }

 private:
  std::vector<Vector> difference_;  // x_i − x̃ of each local participant
  Vector pull_sum_;                 // Σ_{i∈P} (x_i − x̃)
};

}  // namespace sgdsim
