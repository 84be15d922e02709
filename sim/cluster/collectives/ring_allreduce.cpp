// Ring allreduce (Patarasuk & Yuan 2009): reduce-scatter then all-gather around a ring of the
// participants, 2(N−1) steps of S/N bytes per worker.
#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim::collectives {

void append_ring_allreduce(Schedule& schedule, const std::vector<int>& members,
                           double payload_bytes, const std::string& prefix) {
  const int n = static_cast<int>(members.size());
  ScheduleStep step;
  step.repeat = n - 1;
  for (int k = 0; n > 1 && k < n; ++k) {
    step.transfers.push_back({members[k], members[(k + 1) % n], payload_bytes / n});
  }
  for (const char* name : {"reduce_scatter", "all_gather"}) {
    SchedulePhase phase{prefix + name, {}};
    if (n > 1) phase.steps.push_back(step);
    schedule.push_back(std::move(phase));
  }
}

namespace {

class RingAllreduce final : public Collective {
 public:
  Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                    const Topology&) const override {
    Schedule schedule;
    append_ring_allreduce(schedule, participants, payload_bytes);
    return schedule;
  }
};

}  // namespace

std::unique_ptr<Collective> make_ring_allreduce() {
  return std::make_unique<RingAllreduce>();
}

}  // namespace sgdsim::collectives
