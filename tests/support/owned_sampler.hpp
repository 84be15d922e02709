// A batch sampler with its own copy of its shard and its own buffer: what a test wants when it
// replays a worker's mini-batches beside the algorithm (which keeps every shard in one array).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "models/data/partition.hpp"

namespace sgdsim::testing {

class OwnedSampler {
 public:
  OwnedSampler(Shard shard, std::int64_t batch_size, std::uint64_t seed)
      : order_(std::make_unique<std::vector<std::int64_t>>(shard.begin(), shard.end())),
        sampler_(*order_, batch_size, seed) {}

  std::span<const std::int64_t> next() { return sampler_.next(straddle_); }

 private:
  std::unique_ptr<std::vector<std::int64_t>> order_;  // where sampler_ points, moves or not
  BatchSampler sampler_;
  std::vector<std::int64_t> straddle_;
};

// A copy of a shard for a sampler (InnerOptimizer::initial_state) to reshuffle.
inline std::vector<std::int64_t> order_of(Shard shard) {
  return {shard.begin(), shard.end()};
}

}  // namespace sgdsim::testing
