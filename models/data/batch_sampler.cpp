#include "models/data/batch_sampler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sgdsim {

BatchSampler::BatchSampler(std::span<std::int64_t> order, std::int64_t batch_size,
                           std::uint64_t seed)
    : order_(order), batch_size_(batch_size), rng_(seed) {
  if (batch_size < 0 || (batch_size > 0 && order.empty())) {
    throw std::invalid_argument("a batch of " + std::to_string(batch_size) +
                                " samples from a shard of " + std::to_string(order.size()));
  }
  if (!full_batch()) rng_.shuffle(order_.begin(), order_.end());
}

std::span<const std::int64_t> BatchSampler::next(std::vector<std::int64_t>& straddle) {
  if (full_batch()) return order_;
  const auto batch = static_cast<std::size_t>(batch_size_);
  if (cursor_ == order_.size()) {
    rng_.shuffle(order_.begin(), order_.end());
    cursor_ = 0;
  }
  if (cursor_ + batch <= order_.size()) {
    cursor_ += batch;
    return order_.subspan(cursor_ - batch, batch);
  }
  // The epoch's tail, then the head of the next one (of more than one when the shard is smaller
  // than a batch).
  straddle.clear();
  while (straddle.size() < batch) {
    if (cursor_ == order_.size()) {
      rng_.shuffle(order_.begin(), order_.end());
      cursor_ = 0;
    }
    const std::size_t take = std::min(batch - straddle.size(), order_.size() - cursor_);
    const auto from = order_.begin() + static_cast<std::ptrdiff_t>(cursor_);
    straddle.insert(straddle.end(), from, from + static_cast<std::ptrdiff_t>(take));
    cursor_ += take;
  }
  return straddle;
}

}  // namespace sgdsim
