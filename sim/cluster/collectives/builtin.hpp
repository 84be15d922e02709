// The built-in collectives, one file each; collectives.cpp registers them by name. Private to
// sim/cluster/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/cluster/collectives.hpp"

namespace sgdsim::collectives {

std::unique_ptr<Collective> make_ring_allreduce();
std::unique_ptr<Collective> make_halving_doubling();
std::unique_ptr<Collective> make_binary_tree();
std::unique_ptr<Collective> make_hierarchical();
std::unique_ptr<Collective> make_parameter_server();

// Appends a ring allreduce of `payload_bytes` over `members` (a ring in the given order): the
// phases `prefix`reduce_scatter and `prefix`all_gather, each n−1 steps in which every member
// sends S/n bytes to the next. With one member or none the phases have no steps.
void append_ring_allreduce(Schedule& schedule, const std::vector<int>& members,
                           double payload_bytes, const std::string& prefix = "");

}  // namespace sgdsim::collectives
