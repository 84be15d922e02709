// Checks of keys that are valid alone but not together, run by the loader once both sections are
// read. Private to sim/scenario/.
#pragma once

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sgdsim {

// availability.mtbf against the step time: refuses a run that could never complete a step.
void check_progress_possible(yaml::Section& s, const Scenario& scenario);
// Under network.overlap the momentum buffers stay local (only models are averaged, in flight):
// momentum_sync is set to local, and refused when the scenario asks for average or reset.
void resolve_overlap_momentum(yaml::Section& top, Scenario& scenario);
// What the algorithm kind supports (its catalog row's capabilities) against network.overlap,
// availability and while_waiting; `top`: the scenario's top-level section.
void check_algorithm_capabilities(yaml::Section& top, const Scenario& scenario);
// hierarchical_local_sgd's algorithm.group_size, when not given: network.workers_per_node on a
// two_level topology (a group per node); refused elsewhere, which has no nodes to default to.
void resolve_group_size(yaml::Section& top, Scenario& scenario);
// eval.step_averages needs every worker at every step t.
void check_step_averages(yaml::Section& s, const Scenario& scenario);

}  // namespace sgdsim
