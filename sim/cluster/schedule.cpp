#include "sim/cluster/schedule.hpp"

#include <algorithm>
#include <cstddef>

namespace sgdsim {
namespace {

// A resource a step crosses: how many of its transfers share it, and the bytes they put on it.
struct CrossedResource {
  int resource = 0;
  int sharers = 0;
  double bytes = 0.0;
};

// Scratch space reused across the steps of a schedule, flat and in the size of what they touch:
// a ring's step on 10⁶ workers holds 10⁶ routes, and a vector and a hash node per route and per
// resource cost more than the run's replicas (docs/performance.md); a group's collective on a
// large network touches a few of its resources.
class StepEvaluator {
 public:
  explicit StepEvaluator(const Topology& topology) : topology_(topology) {}

  // Seconds of `step`; leaves in crossed() the resources it crossed, by increasing id, with the
  // bytes each carried (× repeat).
  double evaluate(const ScheduleStep& step) {
    latencies_.clear();
    route_ends_.clear();
    route_resources_.clear();
    for (const Transfer& t : step.transfers) {
      const Route route = topology_.route(t.src, t.dst);
      latencies_.push_back(route.latency);
      route_resources_.insert(route_resources_.end(), route.resources.begin(),
                              route.resources.end());
      route_ends_.push_back(route_resources_.size());
    }
    tally_sharers();
    const auto& resources = topology_.resources();
    double seconds = 0.0;
    std::size_t begin = 0;
    for (std::size_t i = 0; i < latencies_.size(); ++i) {
      const double bytes = step.transfers[i].bytes;
      // The transfer's share of its slowest resource: bandwidth / sharers.
      double seconds_per_byte = 0.0;
      for (std::size_t k = begin; k < route_ends_[i]; ++k) {
        CrossedResource& crossed = find(route_resources_[k]);
        seconds_per_byte = std::max(seconds_per_byte,
                                    crossed.sharers / resources.bytes_per_second(crossed.resource));
        crossed.bytes += bytes * static_cast<double>(step.repeat);
      }
      seconds = std::max(seconds, latencies_[i].seconds() + bytes * seconds_per_byte);
      begin = route_ends_[i];
    }
    return seconds;
  }

  const std::vector<CrossedResource>& crossed() const { return crossed_; }

 private:
  // crossed_ ← the distinct resources of the step's routes with their counts, bytes zero.
  void tally_sharers() {
    sorted_ = route_resources_;
    std::sort(sorted_.begin(), sorted_.end());
    crossed_.clear();
    for (const int r : sorted_) {
      if (crossed_.empty() || crossed_.back().resource != r) crossed_.push_back({r, 0, 0.0});
      ++crossed_.back().sharers;
    }
  }

  CrossedResource& find(int resource) {
    return *std::lower_bound(
        crossed_.begin(), crossed_.end(), resource,
        [](const CrossedResource& crossed, int id) { return crossed.resource < id; });
  }

  const Topology& topology_;
  std::vector<SimTime> latencies_;       // per transfer
  std::vector<std::size_t> route_ends_;  // per transfer: its resources' end in route_resources_
  std::vector<int> route_resources_;     // the routes' resources, one route after another
  std::vector<int> sorted_;
  std::vector<CrossedResource> crossed_;
};

// carried += the step's bytes per resource; both by increasing id. A merge per step: the
// collectives' schedules have O(log N) steps, so a schedule's tally is O(N log N).
void add_bytes(const std::vector<CrossedResource>& step, std::vector<ResourceBytes>& carried) {
  std::vector<ResourceBytes> sum;
  sum.reserve(carried.size() + step.size());
  auto c = carried.begin();
  for (const CrossedResource& s : step) {
    for (; c != carried.end() && c->resource < s.resource; ++c) sum.push_back(*c);
    if (c != carried.end() && c->resource == s.resource) {
      sum.push_back({s.resource, c->bytes + s.bytes});
      ++c;
    } else {
      sum.push_back({s.resource, s.bytes});
    }
  }
  sum.insert(sum.end(), c, carried.end());
  carried = std::move(sum);
}

}  // namespace

double step_seconds(const ScheduleStep& step, const Topology& topology) {
  return StepEvaluator(topology).evaluate(step);
}

double CollectiveCost::bytes_on(int resource) const {
  const auto found =
      std::lower_bound(resource_bytes.begin(), resource_bytes.end(), resource,
                       [](const ResourceBytes& carried, int id) { return carried.resource < id; });
  return found != resource_bytes.end() && found->resource == resource ? found->bytes : 0.0;
}

CollectiveCost evaluate_schedule(const Schedule& schedule, const Topology& topology) {
  CollectiveCost cost;
  StepEvaluator evaluator(topology);
  for (const SchedulePhase& phase : schedule) {
    double seconds = 0.0;
    for (const ScheduleStep& step : phase.steps) {
      if (step.repeat <= 0) continue;
      seconds += static_cast<double>(step.repeat) * evaluator.evaluate(step);
      add_bytes(evaluator.crossed(), cost.resource_bytes);
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
