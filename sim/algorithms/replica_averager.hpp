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
  // Replaces every vector by Σ wᵢxᵢ / Σ wᵢ (weights > 0, one per replica).
  virtual void weighted_average(const std::vector<Vector*>& replicas,
                                const std::vector<double>& weights) = 0;
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

  void weighted_average(const std::vector<Vector*>& replicas,
                        const std::vector<double>& weights) override {
    bool uniform = true;
    for (double w : weights) uniform = uniform && w == weights.front();
    // Equal weights are the plain mean, bit for bit (fedavg over equal shards is local SGD).
    if (uniform || replicas.size() < 2) return average(replicas);
    double total = 0.0;
    for (double w : weights) total += w;
    mean_ = static_cast<Scalar>(weights[0] / total) * *replicas[0];
    for (std::size_t i = 1; i < replicas.size(); ++i) {
      mean_ += static_cast<Scalar>(weights[i] / total) * *replicas[i];
    }
    for (Vector* replica : replicas) *replica = mean_;
  }

 private:
  Vector mean_;
};

}  // namespace sgdsim
