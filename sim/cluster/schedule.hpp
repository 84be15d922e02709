// A collective as a schedule of steps, and its time on a topology by the flow-level α–β rule:
// the transfers of a step run concurrently and share the resources they cross equally; steps run
// one after another. The rule and its closed forms: docs/timing-models.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/cluster/topology.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct Transfer {
  int src = 0;  // endpoint ids of the topology
  int dst = 0;
  double bytes = 0.0;
};

struct ScheduleStep {
  std::vector<Transfer> transfers;  // concurrent
  std::int64_t repeat = 1;          // the same step run this many times in a row (a ring's N−1)
};

struct SchedulePhase {
  std::string name;  // shown in the trace: "reduce_scatter", "push", ...
  std::vector<ScheduleStep> steps;
};

using Schedule = std::vector<SchedulePhase>;

struct CollectivePhase {
  std::string name;
  SimTime duration;

  bool operator==(const CollectivePhase&) const = default;
};

struct ResourceBytes {
  int resource = 0;  // an id into Topology::resources()
  double bytes = 0.0;

  bool operator==(const ResourceBytes&) const = default;
};

struct CollectiveCost {
  SimTime duration;         // the sum of the phases' durations
  double bytes_sent = 0.0;  // over the whole network, all senders together, each message once
  std::vector<CollectivePhase> phases;
  // The resources the collective crossed, by increasing id, with the bytes each carried: only
  // those, so that a group's collective costs in its group's size, not the network's.
  std::vector<ResourceBytes> resource_bytes;

  double bytes_on(int resource) const;  // 0 for a resource the collective did not cross
  bool operator==(const CollectiveCost&) const = default;
};

// Time of one step: the max over its transfers of (route latency + bytes × max over the route's
// resources of (transfers of this step crossing it) / its bandwidth), in seconds.
double step_seconds(const ScheduleStep& step, const Topology& topology);

// Each phase's time is summed in double and rounded to the nanosecond once; the collective's
// time is the sum of its phases, so trace phases tile it exactly.
CollectiveCost evaluate_schedule(const Schedule& schedule, const Topology& topology);

}  // namespace sgdsim
