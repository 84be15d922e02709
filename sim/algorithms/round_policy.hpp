// When a synchronous algorithm's workers meet, who takes part, what they exchange and how many
// bytes each puts on the wire: everything a driver needs to know about rounds, apart from their
// math (algorithm.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/algorithms/algorithm_spec.hpp"
#include "sim/algorithms/interval_schedule.hpp"

namespace sgdsim {

// Who sends what to whom in a synchronisation: an allreduce among the participants, or each worker
// sending its model to its neighbours (decentralized SGD).
struct Exchange {
  enum class Kind { allreduce, neighbors };
  Kind kind = Kind::allreduce;
  std::vector<std::vector<int>> neighbors;  // neighbors: worker w sends its model to each of these
};

class RoundPolicy {
 public:
  // `payload_bytes`: what each worker contributes to a round (the collective's payload S).
  RoundPolicy(const AlgorithmSpec& spec, int workers, std::int64_t steps, std::uint64_t seed,
              double payload_bytes, Exchange exchange = {});

  // Whether the workers synchronise once they have completed `step` local steps.
  bool synchronizes_after(std::int64_t step) const;
  // Rounds come in levels (hierarchical local SGD: level 0 averages within groups, level 1 every
  // worker; the others: one level, every worker). At a level-l round, workers [k·g, (k+1)·g) with
  // g = group_size(l) form the k-th group: its own barrier, collective and average. The last
  // level's group holds every worker.
  int levels() const { return static_cast<int>(group_sizes_.size()); }
  // The level of the round after `step` (a step after which the workers synchronise).
  int level_after(std::int64_t step) const;
  int group_size(int level) const { return group_sizes_[level]; }
  const std::vector<int>& group_sizes() const { return group_sizes_; }
  // Called once per round, after step `step`, with the mean mini-batch loss of the local steps
  // since the previous round (the adaptive schedule's signal).
  void on_round_end(std::int64_t step, double mean_round_loss) {
    schedule_.on_round_end(step, mean_round_loss);
  }
  // The workers (sorted) that take part in the round-th round (1-based) when the algorithm samples
  // them (fedavg); nullopt: all workers that are up. The others sit the round out and rejoin at
  // its end.
  std::optional<std::vector<int>> sampled_participants(std::int64_t round) const;
  // Whether a worker that reached a round's step keeps taking local steps (passing that step again
  // to local_step) until the slowest arrives, instead of idling at the barrier.
  bool steps_while_waiting() const { return spec_.while_waiting == WhileWaiting::local_steps; }
  const Exchange& exchange() const { return exchange_; }
  double payload_bytes() const { return payload_bytes_; }
  const IntervalSchedule& schedule() const { return schedule_; }

 private:
  AlgorithmSpec spec_;
  int workers_;
  std::uint64_t seed_;
  double payload_bytes_;
  Exchange exchange_;
  IntervalSchedule schedule_;
  std::int64_t steps_;
  std::vector<int> group_sizes_;  // per level, increasing; the last is every worker
};

}  // namespace sgdsim
