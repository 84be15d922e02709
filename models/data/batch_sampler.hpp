// Draws a worker's mini-batches from its shard: each epoch visits the shard in a fresh seeded
// order (sampling without replacement), as real data loaders do.
#pragma once

#include <cstdint>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/partition.hpp"
#include "models/rng.hpp"

namespace sgdsim {

class BatchSampler {
 public:
  // batch_size 0 means the whole shard (deterministic, full-batch gradients).
  BatchSampler(Shard shard, std::int64_t batch_size, std::uint64_t seed)
      : order_(std::move(shard)), batch_size_(batch_size), rng_(seed) {
    if (!full_batch()) rng_.shuffle(order_.begin(), order_.end());
  }

  bool full_batch() const { return batch_size_ == 0; }
  const Shard& shard_order() const { return order_; }

  // The sample indices of the next mini-batch; wraps into a reshuffled epoch when one runs out.
  const std::vector<std::int64_t>& next() {
    if (full_batch()) return order_;
    batch_.clear();
    while (static_cast<std::int64_t>(batch_.size()) < batch_size_) {
      if (cursor_ == order_.size()) {
        rng_.shuffle(order_.begin(), order_.end());
        cursor_ = 0;
      }
      batch_.push_back(order_[cursor_++]);
    }
    return batch_;
  }

 private:
  Shard order_;
  std::int64_t batch_size_;
  Rng rng_;
  std::size_t cursor_ = 0;
  std::vector<std::int64_t> batch_;
};

// Copies the columns `indices` of `data` into `features`/`targets` (resized as needed).
template <class Scalar>
void gather_columns(const Dataset<Scalar>& data, const std::vector<std::int64_t>& indices,
                    std::int64_t begin, std::int64_t end,
                    typename Dataset<Scalar>::Matrix& features,
                    typename Dataset<Scalar>::Vector& targets) {
  const Eigen::Index count = end - begin;
  features.resize(data.num_features(), count);
  targets.resize(count);
  for (Eigen::Index j = 0; j < count; ++j) {
    const auto i = indices[begin + j];
    features.col(j) = data.features.col(i);
    targets[j] = data.targets[i];
  }
}

}  // namespace sgdsim
