// The cluster's network as a run sees it: a topology, a collective, and the cost of one
// averaging round over a set of participating workers. Built from the scenario's NetworkSpec.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/cluster/collectives.hpp"
#include "sim/cluster/link.hpp"
#include "sim/cluster/schedule.hpp"
#include "sim/cluster/topology.hpp"

namespace sgdsim {

struct NetworkSpec {
  std::string topology = "switch";  // switch | two_level | ring (topology_catalog())
  Link link;                        // switch, ring: each worker's link (network.latency, bandwidth)
  int workers_per_node = 1;         // two_level: g
  Link intra;                       // two_level: between workers of one node
  Link inter;                       // two_level: between nodes, through the NICs
  NicSharing nic = NicSharing::per_worker;  // two_level
  std::optional<Link> server;  // the parameter server's link; nullopt: the worker (inter) link
  std::string collective = "ring_allreduce";
  std::optional<double> payload_bytes;  // nullopt: auto, the bytes the algorithm averages
  double compression = 1.0;             // bytes on the wire = payload / compression
  bool overlap = false;  // averaging overlaps the next local steps (sim/run/synchronous_run.hpp)
};

// S of one round: the explicit payload, or `auto_bytes` (what the algorithm averages), divided by
// the compression factor.
double payload_on_wire(const NetworkSpec& spec, double auto_bytes);

// The link the parameter server gets: the spec's, or else the worker link (inter for two_level).
Link server_link(const NetworkSpec& spec);

// Throws std::invalid_argument when the spec cannot describe `workers` workers.
std::unique_ptr<Topology> make_topology(const NetworkSpec& spec, int workers, bool with_server);

class Network {
 public:
  // Throws std::invalid_argument when the spec does not fit (workers_per_node not dividing
  // workers, hierarchical off two_level, an unknown topology or collective).
  Network(const NetworkSpec& spec, int workers);

  // Time, traffic and per-resource bytes of one round averaging `payload_bytes` over
  // `participants` (sorted worker ids). Cached: every round of a run usually costs the same.
  CollectiveCost allreduce_cost(const std::vector<int>& participants, double payload_bytes);
  // Every worker sends `payload_bytes` to each of its neighbours (neighbors[w]), all at once: one
  // schedule step, so a worker's port carries its degree's worth of transfers. Cached per payload.
  CollectiveCost neighbor_exchange_cost(const std::vector<std::vector<int>>& neighbors,
                                        double payload_bytes);

  const std::vector<ResourceInfo>& resources() const { return topology_->resources(); }
  const Topology& topology() const { return *topology_; }
  const Collective& collective() const { return *collective_; }
  int workers() const { return topology_->workers(); }

 private:
  std::unique_ptr<Collective> collective_;
  std::unique_ptr<Topology> topology_;
  std::map<std::pair<std::vector<int>, double>, CollectiveCost> cache_;
  std::map<std::pair<std::vector<std::vector<int>>, double>, CollectiveCost> exchange_cache_;
};

}  // namespace sgdsim
