// Collective operations that average the workers' models. Each builds a schedule of concurrent
// transfers over the participating workers; sim/cluster/schedule.hpp turns a schedule into time
// on a topology. One file per collective under sim/cluster/collectives/; formulas and sources in
// docs/timing-models.md.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cluster/schedule.hpp"
#include "sim/cluster/topology.hpp"

namespace sgdsim {

class Collective {
 public:
  virtual ~Collective() = default;
  // Whether the topology must give the collective a parameter-server endpoint.
  virtual bool needs_server() const { return false; }
  // Throws std::invalid_argument, saying why, when the collective cannot run on `topology`.
  virtual void check_topology(const Topology& /*topology*/) const {}
  // The steps that average `payload_bytes` held by each of `participants` (sorted, distinct
  // worker ids of `topology`); rings and trees are laid over the participants in id order.
  virtual Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                            const Topology& topology) const = 0;
};

struct CollectiveInfo {
  std::string name;
  std::string description;
};

// The names scenario files use for `network.collective`, each with a one-line description.
const std::vector<CollectiveInfo>& collective_catalog();
// Throws std::invalid_argument naming the known collectives when `name` is not one of them.
std::unique_ptr<Collective> make_collective(std::string_view name);

// The collective's schedule evaluated on `topology` (checks the topology first).
CollectiveCost collective_cost(const Collective& collective, const std::vector<int>& participants,
                               double payload_bytes, const Topology& topology);

// Workers 0..n−1: every worker participates.
std::vector<int> all_workers(int workers);

}  // namespace sgdsim
