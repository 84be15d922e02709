// Splits a training set among workers. Shards are index lists into the shared data set, so no
// worker copies the data.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sgdsim {

enum class PartitionKind { iid, contiguous, dirichlet, shards };

const char* to_string(PartitionKind kind);

using Shard = std::vector<std::int64_t>;

struct PartitionSpec {
  PartitionKind kind = PartitionKind::iid;
  double alpha = 0.5;         // dirichlet: concentration (> 0); small = skewed, large = near iid
  int labels_per_worker = 2;  // shards: k, the shards (so at most k labels) per worker
};

// iid: a seeded shuffle cut into equal shards of ⌊n/N⌋ samples (the n mod N left over are unused);
// contiguous: worker w gets rows [⌊w·n/N⌋, ⌊(w+1)·n/N⌋) in file order.
// Throws std::invalid_argument when a worker would get no sample, or for a label-based kind.
std::vector<Shard> partition(PartitionKind kind, std::int64_t num_samples, int num_workers,
                             std::uint64_t seed);

// Every kind; `labels` (class indices 0..num_classes-1, one per sample) are needed by the
// label-based kinds and may be empty for iid/contiguous, which then use `num_samples` and give
// exactly the shards of the overload above.
//
// dirichlet (label skew, Hsu, Qi & Brown 2019): for each class c, proportions p_c ~ Dir(α·1_N);
//   the class's samples, shuffled, are cut among the workers at the rounded cumulative
//   proportions, so every sample goes to exactly one worker. A worker left with no sample is an
//   error (no repair: pick a larger alpha or fewer workers).
// shards (pathological non-iid, McMahan et al. 2017): indices sorted by label (ties in seeded
//   random order) are cut into N·k near-equal shards [⌊s·n/(N·k)⌋, ⌊(s+1)·n/(N·k)⌋); a seeded
//   permutation deals k of them to each worker. Every sample is used; when each class fills whole
//   shards a worker sees at most k labels.
// Label-based kinds on regression data (num_classes 0) throw std::invalid_argument.
std::vector<Shard> partition(const PartitionSpec& spec, std::int64_t num_samples,
                             std::span<const int> labels, int num_classes, int num_workers,
                             std::uint64_t seed);

// Per shard, the number of its samples of each class (num_classes entries).
std::vector<std::vector<std::int64_t>> label_histograms(const std::vector<Shard>& shards,
                                                        std::span<const int> labels,
                                                        int num_classes);

}  // namespace sgdsim
