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

// One worker's sample indices.
using Shard = std::span<const std::int64_t>;

// The workers' shards as one index array cut at N + 1 offsets: a worker costs its indices and one
// offset, not a vector of its own (at 10^6 workers the headers alone would be tens of megabytes).
class Partition {
 public:
  class Iterator {
   public:
    Iterator(const Partition* partition, std::size_t worker)
        : partition_(partition), worker_(worker) {}
    Shard operator*() const { return (*partition_)[worker_]; }
    Iterator& operator++() {
      ++worker_;
      return *this;
    }
    bool operator==(const Iterator&) const = default;

   private:
    const Partition* partition_;
    std::size_t worker_;
  };

  Partition() = default;
  // Worker w's shard is shards[w].
  explicit Partition(const std::vector<std::vector<std::int64_t>>& shards);
  // Worker w's shard is indices[offsets[w], offsets[w + 1]); offsets start at 0, never decrease
  // and end at indices.size().
  static Partition from_offsets(std::vector<std::int64_t> indices,
                                std::vector<std::int64_t> offsets);

  std::size_t size() const { return offsets_.size() - 1; }
  Shard operator[](std::size_t worker) const {
    return Shard(indices_).subspan(
        static_cast<std::size_t>(offsets_[worker]),
        static_cast<std::size_t>(offsets_[worker + 1] - offsets_[worker]));
  }
  // Where worker w's shard starts in indices().
  std::int64_t offset(std::size_t worker) const { return offsets_[worker]; }
  // Every shard, back to back in worker order.
  const std::vector<std::int64_t>& indices() const { return indices_; }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }
  bool operator==(const Partition&) const = default;

 private:
  std::vector<std::int64_t> indices_;
  std::vector<std::int64_t> offsets_{0};
};

struct PartitionSpec {
  PartitionKind kind = PartitionKind::iid;
  double alpha = 0.5;         // dirichlet: concentration (> 0); small = skewed, large = near iid
  int labels_per_worker = 2;  // shards: k, the shards (so at most k labels) per worker
};

// iid: a seeded shuffle cut into equal shards of ⌊n/N⌋ samples (the n mod N left over are unused);
// contiguous: worker w gets rows [⌊w·n/N⌋, ⌊(w+1)·n/N⌋) in file order.
// Throws std::invalid_argument when a worker would get no sample, or for a label-based kind.
Partition partition(PartitionKind kind, std::int64_t num_samples, int num_workers,
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
Partition partition(const PartitionSpec& spec, std::int64_t num_samples,
                    std::span<const int> labels, int num_classes, int num_workers,
                    std::uint64_t seed);

// Per shard, the number of its samples of each class, as rows of one array.
class LabelHistograms {
 public:
  LabelHistograms() = default;
  LabelHistograms(const Partition& shards, std::span<const int> labels, int num_classes);

  std::size_t size() const { return num_classes_ == 0 ? 0 : counts_.size() / num_classes_; }
  std::span<const std::int64_t> operator[](std::size_t worker) const {
    return std::span<const std::int64_t>(counts_).subspan(worker * num_classes_, num_classes_);
  }

 private:
  std::size_t num_classes_ = 0;
  std::vector<std::int64_t> counts_;
};

}  // namespace sgdsim
