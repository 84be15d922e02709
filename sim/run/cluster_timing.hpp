// The simulated cluster a run is timed on: compute, network and (optionally) failures.
#pragma once

#include "sim/cluster/availability.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"

namespace sgdsim {

struct ClusterTiming {
  ComputeModel* compute = nullptr;
  Network* network = nullptr;
  double payload_bytes = 0.0;                 // S of each synchronisation
  AvailabilityModel* availability = nullptr;  // null: workers never fail
  bool overlap = false;  // averaging overlaps the next local steps (sim/run/synchronous_run.hpp)
};

}  // namespace sgdsim
