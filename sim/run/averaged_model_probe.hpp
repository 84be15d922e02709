// The ModelProbe of algorithms whose workers hold replicas: x̄ is their (weighted) mean, or the
// consensus for algorithms that report it (EASGD's centre).
#pragma once

#include <map>
#include <vector>

#include "sim/algorithms/replica_algorithm.hpp"
#include "sim/run/model_probe.hpp"

namespace sgdsim {

template <class Scalar>
class AveragedModelProbe final : public ModelProbe {
 public:
  using Vector = typename ReplicaAlgorithm<Scalar>::Vector;

  explicit AveragedModelProbe(ReplicaAlgorithm<Scalar>& algorithm) : algorithm_(algorithm) {}

  void snapshot(int worker, std::int64_t step) override;
  ModelMetrics measure(std::int64_t step,
                       MeasureScope scope = MeasureScope::train_and_test) override;
  std::vector<double> final_model() const override;
  void write_model(std::ostream& out) const override;
  // The model measure(step) would measure, without measuring it.
  Vector averaged_model(std::int64_t step);

 private:
  ReplicaAlgorithm<Scalar>& algorithm_;
  std::map<std::int64_t, std::vector<Vector>> snapshots_;  // per step: one per local worker
};

}  // namespace sgdsim
