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

  // `evaluates` false: measure() forms x̄ (a collective where workers live on several processes)
  // but leaves evaluating it to another process, returning empty metrics.
  explicit AveragedModelProbe(ReplicaAlgorithm<Scalar>& algorithm, bool evaluates = true)
      : algorithm_(algorithm), evaluates_(evaluates) {}

  void snapshot(int worker, std::int64_t step) override;
  ModelMetrics measure(std::int64_t step,
                       MeasureScope scope = MeasureScope::train_and_test) override;
  std::vector<double> final_model() const override;
  void write_model(std::ostream& out) const override;
  // The model measure(step) would measure, without measuring it.
  Vector averaged_model(std::int64_t step);

 private:
  ReplicaAlgorithm<Scalar>& algorithm_;
  bool evaluates_;
  std::map<std::int64_t, std::vector<Vector>> snapshots_;  // per step: one per local worker
};

}  // namespace sgdsim
