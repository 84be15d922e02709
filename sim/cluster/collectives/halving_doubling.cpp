// Rabenseifner's allreduce (Thakur, Rabenseifner & Gropp 2005): a reduce-scatter by recursive
// halving, then an all-gather by recursive doubling, over p = 2^⌊log2 N⌋ workers. With N not a
// power of two, MPICH's fold: of the first 2r workers (r = N − p), each even one first sends its
// whole vector to the odd one after it and sits out; it gets the result back at the end.
#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim::collectives {
namespace {

class HalvingDoubling final : public Collective {
 public:
  Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                    const Topology&) const override {
    const int n = static_cast<int>(participants.size());
    int p = 1;
    while (p * 2 <= n) p *= 2;
    const int r = n - p;

    std::vector<int> active;  // the p workers of the power-of-two exchange, in id order
    ScheduleStep fold, unfold;
    for (int i = 0; i < n; ++i) {
      if (i < 2 * r && i % 2 == 0) {
        fold.transfers.push_back({participants[i], participants[i + 1], payload_bytes});
        unfold.transfers.push_back({participants[i + 1], participants[i], payload_bytes});
      } else {
        active.push_back(participants[i]);
      }
    }

    // Exchange with the partner at distance `mask`, sending S·mask/p bytes: halving sends half
    // of the current segment (S/2, S/4, ... S/p), doubling the gathered part back (S/p ... S/2).
    const auto exchange = [&](int mask) {
      ScheduleStep step;
      for (int v = 0; v < p; ++v) {
        step.transfers.push_back({active[v], active[v ^ mask], payload_bytes * mask / p});
      }
      return step;
    };
    Schedule schedule;
    if (r > 0) schedule.push_back({"fold", {fold}});
    SchedulePhase reduce_scatter{"reduce_scatter", {}};
    for (int mask = p / 2; mask >= 1; mask /= 2) reduce_scatter.steps.push_back(exchange(mask));
    SchedulePhase all_gather{"all_gather", {}};
    for (int mask = 1; mask < p; mask *= 2) all_gather.steps.push_back(exchange(mask));
    schedule.push_back(std::move(reduce_scatter));
    schedule.push_back(std::move(all_gather));
    if (r > 0) schedule.push_back({"unfold", {unfold}});
    return schedule;
  }
};

}  // namespace

std::unique_ptr<Collective> make_halving_doubling() {
  return std::make_unique<HalvingDoubling>();
}

}  // namespace sgdsim::collectives
