// The driver's view of the model a run reports: it keeps each worker's model as of a step (workers
// reach a step at different times), measures the averaged model x̄ and writes it out.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "sim/algorithms/model_metrics.hpp"

namespace sgdsim {

class ModelProbe {
 public:
  virtual ~ModelProbe() = default;
  // Keeps `worker`'s model as of `step`, so that the average at `step` can be measured once every
  // worker has reached it.
  virtual void snapshot(int worker, std::int64_t step) = 0;
  // Metrics of the average of the snapshots taken at `step` (which are then released), or of the
  // current replicas when no snapshot was taken at `step` (right after a round: the model its
  // participants agreed on).
  virtual ModelMetrics measure(std::int64_t step,
                               MeasureScope scope = MeasureScope::train_and_test) = 0;
  // The model of the latest round (after a complete run: the final average).
  virtual std::vector<double> final_model() const = 0;
  // That model as model.csv holds it: a header line, then one parameter per line.
  virtual void write_model(std::ostream& out) const = 0;
};

}  // namespace sgdsim
