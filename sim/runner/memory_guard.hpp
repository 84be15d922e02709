// Refusing a run that cannot fit in memory before it allocates: a thousand workers of a large model
// would otherwise fail deep inside the first replica copy, or take the machine down with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim {

// One block of memory a run holds for its whole length.
struct MemoryNeed {
  std::string what;  // "replicas: 1024 workers × 2 model copies (parameters, momentum) × …"
  double bytes = 0.0;
};

// The model-sized vectors every worker keeps, named: its parameters, and the state its algorithm
// adds (momentum buffers, the model in flight of an overlapped round, gossip's mixed model, the
// pulled model and gradient of asynchronous SGD).
std::vector<std::string> per_worker_model_copies(const Scenario& scenario);

// The replicas of `params` parameters of `scalar_bytes` bytes, for every worker.
MemoryNeed replica_memory(const Scenario& scenario, std::int64_t params, std::size_t scalar_bytes);

// What a synthetic data set will take once generated (training and test samples, features and
// targets); nullopt for data read from files, whose size is known only once read.
std::optional<MemoryNeed> synthetic_data_memory(const Scenario& scenario, std::size_t scalar_bytes);

// What loaded data holds (training and test features and targets).
template <class Scalar>
MemoryNeed resident_data_memory(const TrainTestData<Scalar>& data) {
  double values = static_cast<double>(data.train.features.size() + data.train.targets.size());
  if (data.test)
    values += static_cast<double>(data.test->features.size() + data.test->targets.size());
  return {"data: " + std::to_string(static_cast<std::int64_t>(values)) + " values of " +
              std::to_string(sizeof(Scalar)) + " B, loaded",
          values * sizeof(Scalar)};
}

// Memory this process may still use: the kernel's MemAvailable, lowered to what is left of a cgroup
// (v2) memory limit; nullopt when neither can be read. `source` says which one applied.
std::optional<double> available_memory_bytes(std::string* source = nullptr);

// Throws a ConfigError placed at `key` when the needs add up to more than `limit` bytes; the
// message lists each need and says how to get under the limit.
void check_memory(const Scenario& scenario, const std::string& key,
                  const std::vector<MemoryNeed>& needs, double limit, const std::string& source);

}  // namespace sgdsim
