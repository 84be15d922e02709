// Splits a training set among workers. Shards are index lists into the shared data set, so no
// worker copies the data.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sgdsim {

enum class PartitionKind { iid, contiguous };

using Shard = std::vector<std::int64_t>;

// iid: a seeded shuffle cut into equal shards of ⌊n/N⌋ samples (the n mod N left over are unused);
// contiguous: worker w gets rows [⌊w·n/N⌋, ⌊(w+1)·n/N⌋) in file order.
// Throws std::invalid_argument when a worker would get no sample.
std::vector<Shard> partition(PartitionKind kind, std::int64_t num_samples, int num_workers,
                             std::uint64_t seed);

}  // namespace sgdsim
