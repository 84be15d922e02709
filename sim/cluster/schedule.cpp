#include "sim/cluster/schedule.hpp"

#include <algorithm>
#include <unordered_map>

namespace sgdsim {
namespace {

// Scratch space reused across the steps of a schedule, in the size of what they touch (a group's
// collective on a network of 10⁶ workers touches a few of its resources).
class StepEvaluator {
 public:
  explicit StepEvaluator(const Topology& topology) : topology_(topology) {}

  // Seconds of `step`; adds the bytes each resource carries (× repeat) to `resource_bytes`.
  double evaluate(const ScheduleStep& step, std::unordered_map<int, double>* resource_bytes) {
    routes_.clear();
    sharers_.clear();
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
        seconds_per_byte = std::max(seconds_per_byte, sharers_[r] / resources.bytes_per_second(r));
        if (resource_bytes) (*resource_bytes)[r] += bytes * static_cast<double>(step.repeat);
      }
      seconds = std::max(seconds, route.latency.seconds() + bytes * seconds_per_byte);
    }
    return seconds;
  }

 private:
  const Topology& topology_;
  std::unordered_map<int, int> sharers_;
  std::vector<Route> routes_;
};

}  // namespace

double step_seconds(const ScheduleStep& step, const Topology& topology) {
  return StepEvaluator(topology).evaluate(step, nullptr);
}

double CollectiveCost::bytes_on(int resource) const {
  const auto found =
      std::lower_bound(resource_bytes.begin(), resource_bytes.end(), resource,
                       [](const ResourceBytes& carried, int id) { return carried.resource < id; });
  return found != resource_bytes.end() && found->resource == resource ? found->bytes : 0.0;
}

CollectiveCost evaluate_schedule(const Schedule& schedule, const Topology& topology) {
  CollectiveCost cost;
  std::unordered_map<int, double> carried;
  StepEvaluator evaluator(topology);
  for (const SchedulePhase& phase : schedule) {
    double seconds = 0.0;
    for (const ScheduleStep& step : phase.steps) {
      if (step.repeat <= 0) continue;
      seconds += static_cast<double>(step.repeat) * evaluator.evaluate(step, &carried);
      for (const Transfer& t : step.transfers) {
        cost.bytes_sent += t.bytes * static_cast<double>(step.repeat);
      }
    }
    const SimTime duration = SimTime::from_seconds(seconds);
    cost.phases.push_back({phase.name, duration});
    cost.duration += duration;
  }
  for (const auto& [resource, bytes] : carried) cost.resource_bytes.push_back({resource, bytes});
  std::sort(cost.resource_bytes.begin(), cost.resource_bytes.end(),
            [](const ResourceBytes& a, const ResourceBytes& b) { return a.resource < b.resource; });
  return cost;
}

}  // namespace sgdsim
