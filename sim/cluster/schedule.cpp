#include "sim/cluster/schedule.hpp"

#include <algorithm>

namespace sgdsim {
namespace {

// Scratch space reused across the steps of a schedule: per-resource transfer counts.
class StepEvaluator {
 public:
  explicit StepEvaluator(const Topology& topology)
      : topology_(topology), sharers_(topology.resources().size(), 0) {}

  // Seconds of `step`; adds the bytes each resource carries (× repeat) to `resource_bytes`.
  double evaluate(const ScheduleStep& step, std::vector<double>* resource_bytes) {
    routes_.clear();
    for (const Transfer& t : step.transfers) {
      routes_.push_back(topology_.route(t.src, t.dst));
      for (const int r : routes_.back().resources) ++sharers_[r];
    }
    const auto& resources = topology_.resources();
    double seconds = 0.0;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
      const Route& route = routes_[i];
      const double bytes = step.transfers[i].bytes;
      // The transfer's share of its slowest resource: bandwidth / sharers.
      double seconds_per_byte = 0.0;
      for (const int r : route.resources) {
        seconds_per_byte = std::max(seconds_per_byte, sharers_[r] / resources[r].bytes_per_second);
        if (resource_bytes) (*resource_bytes)[r] += bytes * static_cast<double>(step.repeat);
      }
      seconds = std::max(seconds, route.latency.seconds() + bytes * seconds_per_byte);
    }
    for (const Route& route : routes_) {
      for (const int r : route.resources) sharers_[r] = 0;
    }
    return seconds;
  }

 private:
  const Topology& topology_;
  std::vector<int> sharers_;
  std::vector<Route> routes_;
};

}  // namespace

double step_seconds(const ScheduleStep& step, const Topology& topology) {
  return StepEvaluator(topology).evaluate(step, nullptr);
}

CollectiveCost evaluate_schedule(const Schedule& schedule, const Topology& topology) {
  CollectiveCost cost;
  cost.resource_bytes.assign(topology.resources().size(), 0.0);
  StepEvaluator evaluator(topology);
  for (const SchedulePhase& phase : schedule) {
    double seconds = 0.0;
    for (const ScheduleStep& step : phase.steps) {
      if (step.repeat <= 0) continue;
      seconds += static_cast<double>(step.repeat) * evaluator.evaluate(step, &cost.resource_bytes);
      for (const Transfer& t : step.transfers) {
        cost.bytes_sent += t.bytes * static_cast<double>(step.repeat);
      }
    }
    const SimTime duration = SimTime::from_seconds(seconds);
    cost.phases.push_back({phase.name, duration});
    cost.duration += duration;
  }
  return cost;
}

}  // namespace sgdsim
