#include "models/data/partition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "models/rng.hpp"

namespace sgdsim {
namespace {

// ⌊w·n/N⌋ without forming w·n, which could overflow for large n.
std::int64_t contiguous_boundary(std::int64_t w, std::int64_t n, std::int64_t num_workers) {
  return w * (n / num_workers) + w * (n % num_workers) / num_workers;
}

// log of a Gamma(shape, 1) draw. Marsaglia & Tsang (2000) for shape ≥ 1; below 1 the boost
// Gamma(a) = Gamma(a + 1)·U^{1/a}, kept in log space because U^{1/a} underflows for small a.
double log_gamma_draw(Rng& rng, double shape) {
  if (shape < 1.0) {
    return log_gamma_draw(rng, shape + 1.0) + std::log(rng.uniform_open_zero()) / shape;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform_open_zero();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return std::log(d * v);
  }
}

// p ~ Dir(alpha·1_n), normalised from log-gamma draws (stable however small alpha is).
std::vector<double> dirichlet_draw(Rng& rng, double alpha, int n) {
  std::vector<double> p(static_cast<std::size_t>(n));
  for (double& x : p) x = log_gamma_draw(rng, alpha);
  const double top = *std::max_element(p.begin(), p.end());
  double sum = 0.0;
  for (double& x : p) sum += (x = std::exp(x - top));
  for (double& x : p) x /= sum;
  return p;
}

std::string kind_name(PartitionKind kind) {
  return to_string(kind);
}

void check_labels(const PartitionSpec& spec, std::int64_t num_samples, std::span<const int> labels,
                  int num_classes) {
  if (num_classes < 1) {
    throw std::invalid_argument("the " + kind_name(spec.kind) +
                                " partition needs class labels, but the data are regression data; "
                                "use iid or contiguous");
  }
  if (static_cast<std::int64_t>(labels.size()) != num_samples) {
    throw std::invalid_argument("the " + kind_name(spec.kind) + " partition got " +
                                std::to_string(labels.size()) + " labels for " +
                                std::to_string(num_samples) + " samples");
  }
  for (int label : labels) {
    if (label < 0 || label >= num_classes) {
      throw std::invalid_argument("label " + std::to_string(label) + " outside 0.." +
                                  std::to_string(num_classes - 1));
    }
  }
}

Partition dirichlet_partition(double alpha, std::span<const int> labels, int num_classes,
                              int num_workers, std::uint64_t seed) {
  if (!(alpha > 0.0) || !std::isfinite(alpha)) {
    throw std::invalid_argument("the dirichlet partition needs alpha > 0, got " +
                                std::to_string(alpha));
  }
  std::vector<std::vector<std::int64_t>> by_class(static_cast<std::size_t>(num_classes));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    by_class[labels[i]].push_back(static_cast<std::int64_t>(i));
  }
  std::vector<std::vector<std::int64_t>> shards(static_cast<std::size_t>(num_workers));
  for (int c = 0; c < num_classes; ++c) {
    std::vector<std::int64_t>& members = by_class[c];
    Rng rng(derive_seed(seed, "partition.dirichlet", static_cast<std::uint64_t>(c)));
    const std::vector<double> share = dirichlet_draw(rng, alpha, num_workers);
    rng.shuffle(members.begin(), members.end());
    const auto count = static_cast<std::int64_t>(members.size());
    double cumulative = 0.0;
    std::int64_t begin = 0;
    for (int w = 0; w < num_workers; ++w) {
      cumulative += share[w];
      const std::int64_t end =
          w + 1 == num_workers
              ? count
              : std::clamp<std::int64_t>(std::llround(cumulative * static_cast<double>(count)),
                                         begin, count);
      shards[w].insert(shards[w].end(), members.begin() + begin, members.begin() + end);
      begin = end;
    }
  }
  for (int w = 0; w < num_workers; ++w) {
    if (shards[w].empty()) {
      throw std::invalid_argument(
          "the dirichlet partition with alpha " + std::to_string(alpha) + " left worker " +
          std::to_string(w) + " of " + std::to_string(num_workers) +
          " without samples; use a larger alpha, fewer workers or another seed");
    }
    std::sort(shards[w].begin(), shards[w].end());
  }
  return Partition(shards);
}

Partition label_shards_partition(int labels_per_worker, std::span<const int> labels,
                                 int num_workers, std::uint64_t seed) {
  if (labels_per_worker < 1) {
    throw std::invalid_argument("the shards partition needs labels_per_worker >= 1, got " +
                                std::to_string(labels_per_worker));
  }
  const auto n = static_cast<std::int64_t>(labels.size());
  const std::int64_t pieces = std::int64_t{num_workers} * labels_per_worker;
  if (n < pieces) {
    throw std::invalid_argument("the shards partition needs " + std::to_string(pieces) +
                                " shards (workers x labels_per_worker) but there are only " +
                                std::to_string(n) + " samples");
  }
  Rng rng(derive_seed(seed, "partition.shards"));
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  rng.shuffle(order.begin(), order.end());  // ties between equal labels in random order
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return labels[a] < labels[b]; });
  std::vector<std::int64_t> deal(static_cast<std::size_t>(pieces));
  std::iota(deal.begin(), deal.end(), std::int64_t{0});
  rng.shuffle(deal.begin(), deal.end());

  std::vector<std::vector<std::int64_t>> shards(static_cast<std::size_t>(num_workers));
  for (std::int64_t slot = 0; slot < pieces; ++slot) {
    const std::int64_t piece = deal[slot];
    std::vector<std::int64_t>& shard = shards[slot / labels_per_worker];
    shard.insert(shard.end(), order.begin() + contiguous_boundary(piece, n, pieces),
                 order.begin() + contiguous_boundary(piece + 1, n, pieces));
  }
  for (std::vector<std::int64_t>& shard : shards) std::sort(shard.begin(), shard.end());
  return Partition(shards);
}

}  // namespace

Partition::Partition(const std::vector<std::vector<std::int64_t>>& shards) {
  offsets_.reserve(shards.size() + 1);
  for (const std::vector<std::int64_t>& shard : shards) {
    indices_.insert(indices_.end(), shard.begin(), shard.end());
    offsets_.push_back(static_cast<std::int64_t>(indices_.size()));
  }
}

Partition Partition::from_offsets(std::vector<std::int64_t> indices,
                                  std::vector<std::int64_t> offsets) {
  const bool valid = !offsets.empty() && offsets.front() == 0 &&
                     offsets.back() == static_cast<std::int64_t>(indices.size()) &&
                     std::is_sorted(offsets.begin(), offsets.end());
  if (!valid) {
    throw std::invalid_argument("partition offsets must rise from 0 to the number of indices");
  }
  Partition p;
  p.indices_ = std::move(indices);
  p.offsets_ = std::move(offsets);
  return p;
}

const char* to_string(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::iid:
      return "iid";
    case PartitionKind::contiguous:
      return "contiguous";
    case PartitionKind::dirichlet:
      return "dirichlet";
    case PartitionKind::shards:
      return "shards";
  }
  return "?";
}

Partition partition(PartitionKind kind, std::int64_t num_samples, int num_workers,
                    std::uint64_t seed) {
  if (num_workers < 1) {
    throw std::invalid_argument("need at least 1 worker, got " + std::to_string(num_workers));
  }
  if (kind == PartitionKind::dirichlet || kind == PartitionKind::shards) {
    throw std::invalid_argument("the " + kind_name(kind) +
                                " partition needs the class labels: call the PartitionSpec "
                                "overload");
  }
  if (num_samples < num_workers) {
    throw std::invalid_argument(std::to_string(num_workers) + " workers but only " +
                                std::to_string(num_samples) +
                                " samples: every worker needs at least one");
  }
  const std::int64_t n = num_samples;
  const std::int64_t workers = num_workers;
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(workers + 1));
  switch (kind) {
    case PartitionKind::iid: {
      std::vector<std::int64_t> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), std::int64_t{0});
      Rng(derive_seed(seed, "partition")).shuffle(order.begin(), order.end());
      const std::int64_t shard_size = n / workers;
      order.resize(static_cast<std::size_t>(workers * shard_size));  // the n mod N left over
      for (std::int64_t w = 0; w <= workers; ++w) offsets[w] = w * shard_size;
      return Partition::from_offsets(std::move(order), std::move(offsets));
    }
    case PartitionKind::contiguous: {
      std::vector<std::int64_t> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), std::int64_t{0});
      for (std::int64_t w = 0; w <= workers; ++w) offsets[w] = contiguous_boundary(w, n, workers);
      return Partition::from_offsets(std::move(order), std::move(offsets));
    }
    case PartitionKind::dirichlet:
    case PartitionKind::shards:
      break;  // rejected above
  }
  return {};
}

Partition partition(const PartitionSpec& spec, std::int64_t num_samples,
                    std::span<const int> labels, int num_classes, int num_workers,
                    std::uint64_t seed) {
  if (spec.kind == PartitionKind::iid || spec.kind == PartitionKind::contiguous) {
    return partition(spec.kind, num_samples, num_workers, seed);
  }
  if (num_workers < 1) {
    throw std::invalid_argument("need at least 1 worker, got " + std::to_string(num_workers));
  }
  check_labels(spec, num_samples, labels, num_classes);
  if (spec.kind == PartitionKind::dirichlet) {
    return dirichlet_partition(spec.alpha, labels, num_classes, num_workers, seed);
  }
  return label_shards_partition(spec.labels_per_worker, labels, num_workers, seed);
}

LabelHistograms::LabelHistograms(const Partition& shards, std::span<const int> labels,
                                 int num_classes)
    : num_classes_(static_cast<std::size_t>(std::max(num_classes, 0))),
      counts_(shards.size() * num_classes_, 0) {
  for (std::size_t w = 0; w < shards.size(); ++w) {
    std::int64_t* counts = counts_.data() + w * num_classes_;
    for (std::int64_t index : shards[w]) {
      const int label = labels[static_cast<std::size_t>(index)];
      if (label >= 0 && label < num_classes) ++counts[label];
    }
  }
}

}  // namespace sgdsim
