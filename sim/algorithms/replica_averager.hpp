// How replicas get averaged, apart from the algorithm that asks for it and from the collective that
// times it: in one process it is an exact mean in memory; an MPI build will supply MPI_Allreduce.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace sgdsim {

template <class Scalar>
class ReplicaAverager {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  virtual ~ReplicaAverager() = default;
  // Replaces every vector in `replicas` by their mean.
  virtual void average(const std::vector<Vector*>& replicas) = 0;
};

template <class Scalar>
class InMemoryAverager final : public ReplicaAverager<Scalar> {
 public:
  using Vector = typename ReplicaAverager<Scalar>::Vector;
  void average(const std::vector<Vector*>& replicas) override {
    if (replicas.size() < 2) return;
    // Summed in worker order, so the result never depends on event order.
    mean_ = *replicas[0];
    for (std::size_t i = 1; i < replicas.size(); ++i) mean_ += *replicas[i];
    mean_ /= static_cast<Scalar>(replicas.size());
    for (Vector* replica : replicas) *replica = mean_;
  }

 private:
  Vector mean_;
};

}  // namespace sgdsim
