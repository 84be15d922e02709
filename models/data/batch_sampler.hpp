// Draws a worker's mini-batches from its shard: each epoch visits the shard in a fresh seeded
// order (sampling without replacement), as real data loaders do.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/rng.hpp"

namespace sgdsim {

class BatchSampler {
 public:
  // `order` starts as the worker's shard and is the sampler's to reshuffle: storage the caller
  // keeps alive, so that the samplers of many workers share one array rather than own one each.
  // batch_size 0 means the whole shard (deterministic, full-batch gradients).
  BatchSampler(std::span<std::int64_t> order, std::int64_t batch_size, std::uint64_t seed);

  bool full_batch() const { return batch_size_ == 0; }
  // The shard in its current epoch's order.
  std::span<const std::int64_t> order() const { return order_; }

  // The sample indices of the next mini-batch; wraps into a reshuffled epoch when one runs out.
  // The indices lie in the shard's order unless the batch straddles epochs: then they are copied
  // into `straddle` (the caller's buffer, reused from call to call). Valid until the next call.
  std::span<const std::int64_t> next(std::vector<std::int64_t>& straddle);

 private:
  std::span<std::int64_t> order_;
  std::int64_t batch_size_;
  UniformRng rng_;
  std::size_t cursor_ = 0;
};

// Copies the columns `indices` of `data` into `features`/`targets` (resized as needed).
template <class Scalar>
void gather_columns(const Dataset<Scalar>& data, std::span<const std::int64_t> indices,
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
