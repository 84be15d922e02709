// Refusals of runs that would overflow the simulated clock or write a trace beyond
// output.trace_limit, made before the run starts at the keys that make it so.
#pragma once

#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/scenario/scenario.hpp"

namespace sgdsim {

// Throws ConfigError. `async`: the run pushes one gradient per worker step instead of rounds.
void check_trace_fits(const Scenario& s, bool async);
void check_simulated_time_fits(const Scenario& s, const ComputeModel& compute,
                               double flops_per_step, Network& network, double payload, bool async);

}  // namespace sgdsim
