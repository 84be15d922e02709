#include "sim/algorithms/round_policy.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/rng.hpp"

namespace sgdsim {

RoundPolicy::RoundPolicy(const AlgorithmSpec& spec, int workers, std::int64_t steps,
                         std::uint64_t seed, double payload_bytes, Exchange exchange)
    : spec_(spec),
      workers_(workers),
      seed_(seed),
      payload_bytes_(payload_bytes),
      exchange_(std::move(exchange)),
      schedule_(spec.interval_schedule, spec.interval, steps),
      steps_(steps) {
  // A group of all workers is the global round; a group of one has nothing to average.
  if (spec.kind == AlgorithmKind::hierarchical_local_sgd && spec.group_size < workers) {
    if (spec.group_size < 1 || workers % spec.group_size != 0 || spec.global_interval < 1) {
      throw std::invalid_argument(
          "hierarchical local SGD needs a group size dividing the workers and a global interval "
          "(checked by the scenario loader)");
    }
    group_sizes_.push_back(spec.group_size);
  }
  group_sizes_.push_back(workers);
}

bool RoundPolicy::synchronizes_after(std::int64_t step) const {
  if (!schedule_.synchronizes_after(step)) return false;
  const int level = level_after(step);
  return level == levels() - 1 || group_sizes_[level] > 1;
}

// As PyTorch's HierarchicalModelAverager: at a step that both periods divide, the longer wins.
int RoundPolicy::level_after(std::int64_t step) const {
  if (levels() == 1 || step == steps_ || step % spec_.global_interval == 0) return levels() - 1;
  return 0;
}

// Partial Fisher–Yates from the round's own stream: a round's sample does not depend on how many
// rounds came before it or on anything the run did.
std::optional<std::vector<int>> RoundPolicy::sampled_participants(std::int64_t round) const {
  const int n = workers_;
  const int k = spec_.clients_per_round;
  if (spec_.kind != AlgorithmKind::fedavg || k <= 0 || k >= n) return std::nullopt;
  std::vector<int> order(n);
  for (int w = 0; w < n; ++w) order[w] = w;
  Rng rng(derive_seed(seed_, "fedavg_clients", static_cast<std::uint64_t>(round)));
  for (int i = 0; i < k; ++i) {
    const auto j = i + static_cast<int>(rng.uniform_index(static_cast<std::uint64_t>(n - i)));
    std::swap(order[i], order[j]);
  }
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace sgdsim
