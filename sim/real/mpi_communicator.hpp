// The communicator of a real run: each rank holds a contiguous block of workers
// (worker_layout.hpp). Reduction::ordered passes the partial sum rank to rank in worker order and
// broadcasts the result, so every value is rounded exactly as InProcessCommunicator rounds it;
// Reduction::allreduce sums each rank's part with MPI_Allreduce (MPI picks the order).
#pragma once

#include <span>
#include <vector>

#include "sim/algorithms/communicator.hpp"
#include "sim/real/mpi_world.hpp"
#include "sim/real/real_options.hpp"

namespace sgdsim {

template <class Scalar>
class MpiCommunicator final : public Communicator<Scalar> {
 public:
  using Vector = typename Communicator<Scalar>::Vector;

  MpiCommunicator(const MpiWorld& world, int workers, Reduction reduction);

  void average(const std::vector<int>& participants, const std::vector<double>& weights,
               const std::vector<const Vector*>& local, Vector& mean) override;
  void sum(const std::vector<int>& participants, const std::vector<const Vector*>& local,
           Vector& sum) override;
  std::vector<double> sum_over_workers(std::span<const double> local, int width) override;
  void mix(const std::vector<MixingRow>& weights, const std::vector<Vector*>& local) override;

 private:
  // Σ over the participants of scale(i)·xᵢ into `result` on every rank, starting from the first
  // term (or from 0 when `from_zero`), in worker order (ordered) or as MPI sums it.
  void reduce(const std::vector<int>& participants, const std::vector<const Vector*>& local,
              const std::vector<Scalar>& scales, bool from_zero, Vector& result);
  void ordered_reduce(const std::vector<int>& participants, const std::vector<const Vector*>& local,
                      const std::vector<Scalar>& scales, bool from_zero, Vector& result);

  const MpiWorld& world_;
  int workers_;
  Reduction reduction_;
  Vector partial_;
};

}  // namespace sgdsim
