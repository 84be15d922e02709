// A fixed, seeded sample of a data set's samples: what `eval.samples` measures the training loss
// on when the whole training set would cost more than the steps being measured.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "models/data/batch_sampler.hpp"
#include "models/data/dataset.hpp"
#include "models/rng.hpp"

namespace sgdsim {

// `count` distinct samples of `data` drawn uniformly without replacement (partial Fisher–Yates),
// kept in their original order so the copy reads the source front to back.
template <class Scalar>
Dataset<Scalar> random_subset(const Dataset<Scalar>& data, std::int64_t count, std::uint64_t seed) {
  const std::int64_t n = data.num_samples();
  count = std::clamp<std::int64_t>(count, 0, n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  Rng rng(seed);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto j =
        i + static_cast<std::int64_t>(rng.uniform_index(static_cast<std::uint64_t>(n - i)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  order.resize(static_cast<std::size_t>(count));
  std::sort(order.begin(), order.end());
  Dataset<Scalar> subset;
  gather_columns(data, order, 0, count, subset.features, subset.targets);
  subset.num_classes = data.num_classes;
  subset.image = data.image;
  return subset;
}

}  // namespace sgdsim
