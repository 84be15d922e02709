// Hierarchical allreduce on a two-level cluster (as in Horovod's hierarchical allreduce and Jia
// et al. 2018): each node reduces to its leader (its lowest participating worker) along a binomial
// tree over intra-node links, the leaders run a ring allreduce over inter-node links, and each
// leader broadcasts the result back along the binomial tree.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim::collectives {
namespace {

class Hierarchical final : public Collective {
 public:
  void check_topology(const Topology& topology) const override {
    if (topology.workers_per_node() <= 0) {
      throw std::invalid_argument(
          "the hierarchical collective needs nodes: use topology two_level with workers_per_node");
    }
  }

  Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                    const Topology& topology) const override {
    check_topology(topology);
    const int g = topology.workers_per_node();
    std::map<int, std::vector<int>> by_node;  // node → its participants, in id order
    for (const int w : participants) by_node[w / g].push_back(w);
    std::vector<int> leaders;
    std::size_t largest = 0;
    for (const auto& [node, members] : by_node) {
      leaders.push_back(members.front());
      largest = std::max(largest, members.size());
    }
    const int size = static_cast<int>(largest);

    // Binomial tree at distance `mask`: members at relative rank r ≡ mask (mod 2·mask) send to
    // r − mask going up, and receive from it coming down. All nodes step together.
    const auto binomial_step = [&](int mask, bool up) {
      ScheduleStep step;
      for (const auto& [node, members] : by_node) {
        const int m = static_cast<int>(members.size());
        for (int r = mask; r < m; r += 2 * mask) {
          const int child = members[r];
          const int parent = members[r - mask];
          step.transfers.push_back({up ? child : parent, up ? parent : child, payload_bytes});
        }
      }
      return step;
    };
    int top = 1;  // the largest power of two below the largest node's size
    while (top * 2 < size) top *= 2;

    Schedule schedule;
    SchedulePhase reduce{"intra_reduce", {}};
    for (int mask = 1; mask < size; mask *= 2) reduce.steps.push_back(binomial_step(mask, true));
    schedule.push_back(std::move(reduce));
    append_ring_allreduce(schedule, leaders, payload_bytes, "inter_");
    SchedulePhase broadcast{"intra_broadcast", {}};
    for (int mask = top; mask >= 1 && size > 1; mask /= 2) {
      broadcast.steps.push_back(binomial_step(mask, false));
    }
    schedule.push_back(std::move(broadcast));
    return schedule;
  }
};

}  // namespace

std::unique_ptr<Collective> make_hierarchical() {
  return std::make_unique<Hierarchical>();
}

}  // namespace sgdsim::collectives
