// The collective math of a round on the caller's own vectors, apart from the algorithm that asks
// for it and from the collective model that times it. In the simulator one process holds every
// worker (in_process_communicator.hpp); under MPI each rank holds a contiguous block of them
// (sim/real/mpi_communicator.hpp).
//
// Every call is made by every process at the same point of the algorithm, with the same
// `participants`. `local` holds the vectors (or values) of this process's workers among them, in
// increasing worker order; output vectors come sized as the inputs. Results never depend on the
// order in which workers finished their steps: sums run in worker order.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

#include "sim/algorithms/gossip_graph.hpp"

namespace sgdsim {

template <class Scalar>
class Communicator {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  virtual ~Communicator() = default;

  // The mean over `participants` (sorted ids) of their vectors, x̄ = (x₁ + … + xₖ)/k, or with
  // `weights` (one per participant, > 0) Σ wᵢxᵢ / Σ wᵢ, into `mean` on every process.
  virtual void average(const std::vector<int>& participants, const std::vector<double>& weights,
                       const std::vector<const Vector*>& local, Vector& mean) = 0;
  // 0 + x₁ + … + xₖ over the participants, into `sum` on every process.
  virtual void sum(const std::vector<int>& participants, const std::vector<const Vector*>& local,
                   Vector& sum) = 0;
  // Σ over every worker, from 0, of each of the `width` values it contributes: local holds this
  // process's workers' values, worker after worker (one array, not a vector per worker: a round
  // of 10⁶ workers would allocate 10⁶ of them). The result has `width` values.
  virtual std::vector<double> sum_over_workers(std::span<const double> local, int width) = 0;
  // Neighbour mixing over every worker: xᵢ ← Σⱼ Wᵢⱼ xⱼ with the values from before the exchange,
  // summed from 0 in increasing j. `local`: this process's workers' models.
  virtual void mix(const std::vector<MixingRow>& weights, const std::vector<Vector*>& local) = 0;
};

}  // namespace sgdsim
