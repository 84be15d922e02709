#include "models/data/partition.hpp"

#include <numeric>
#include <stdexcept>
#include <string>

#include "models/rng.hpp"

namespace sgdsim {
namespace {

// ⌊w·n/N⌋ without forming w·n, which could overflow for large n.
std::int64_t contiguous_boundary(std::int64_t w, std::int64_t n, std::int64_t num_workers) {
  return w * (n / num_workers) + w * (n % num_workers) / num_workers;
}

}  // namespace

std::vector<Shard> partition(PartitionKind kind, std::int64_t num_samples, int num_workers,
                             std::uint64_t seed) {
  if (num_workers < 1) {
    throw std::invalid_argument("need at least 1 worker, got " + std::to_string(num_workers));
  }
  if (num_samples < num_workers) {
    throw std::invalid_argument(std::to_string(num_workers) + " workers but only " +
                                std::to_string(num_samples) +
                                " samples: every worker needs at least one");
  }
  const std::int64_t n = num_samples;
  const std::int64_t workers = num_workers;
  std::vector<Shard> shards(static_cast<std::size_t>(num_workers));

  switch (kind) {
    case PartitionKind::iid: {
      Shard order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), std::int64_t{0});
      Rng(derive_seed(seed, "partition")).shuffle(order.begin(), order.end());
      const std::int64_t shard_size = n / workers;
      for (std::int64_t w = 0; w < workers; ++w) {
        shards[w].assign(order.begin() + w * shard_size, order.begin() + (w + 1) * shard_size);
      }
      break;
    }
    case PartitionKind::contiguous:
      for (std::int64_t w = 0; w < workers; ++w) {
        shards[w].resize(contiguous_boundary(w + 1, n, workers) -
                         contiguous_boundary(w, n, workers));
        std::iota(shards[w].begin(), shards[w].end(), contiguous_boundary(w, n, workers));
      }
      break;
  }
  return shards;
}

}  // namespace sgdsim
