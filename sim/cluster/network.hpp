// The cluster's network as a run sees it: a topology, a collective, and the cost of one
// averaging round over a set of participating workers. Built from the scenario's NetworkSpec.
#pragma once

#include <limits>
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

// A size band of the links: payloads of at most `up_to_bytes` travel on `link`. Calibrated
// networks have several, because MPI changes its algorithm with the message size.
struct SizeBand {
  double up_to_bytes = std::numeric_limits<double>::infinity();
  Link link;

  bool operator==(const SizeBand&) const = default;
};

struct NetworkSpec {
  std::string topology = "switch";  // switch | two_level | ring (topology_catalog())
  Link link;                        // switch, ring: each worker's link (network.latency, bandwidth)
  // switch, ring: the link by payload size (network.by_size), bands in increasing up_to_bytes,
  // the last unbounded; empty: `link` for every size.
  std::vector<SizeBand> by_size;
  int workers_per_node = 1;                 // two_level: g
  Link intra;                               // two_level: between workers of one node
  Link inter;                               // two_level: between nodes, through the NICs
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

// The spec with the link that carries payloads of `payload_bytes` (by_size) as its link.
NetworkSpec spec_for_payload(const NetworkSpec& spec, double payload_bytes);

// Throws std::invalid_argument when the spec cannot describe `workers` workers.
std::unique_ptr<Topology> make_topology(const NetworkSpec& spec, int workers, bool with_server);

class Network {
 public:
  // Throws std::invalid_argument when the spec does not fit (workers_per_node not dividing
  // workers, hierarchical off two_level, an unknown topology or collective).
  Network(const NetworkSpec& spec, int workers);

  // Time, traffic and per-resource bytes of one round averaging `payload_bytes` over
  // `participants` (sorted worker ids). Cached: every round of a run usually costs the same; the
  // cost is shared with the cache, not copied (it lists every resource the round crosses: 2N of
  // them on a switch).
  std::shared_ptr<const CollectiveCost> allreduce_cost(const std::vector<int>& participants,
                                                       double payload_bytes);
  // Every worker sends `payload_bytes` to each of its neighbours (neighbors[w]), all at once: one
  // schedule step, so a worker's port carries its degree's worth of transfers. Cached per payload.
  std::shared_ptr<const CollectiveCost> neighbor_exchange_cost(
      const std::vector<std::vector<int>>& neighbors, double payload_bytes);

  // Every size band's topology has the same resources.
  const ResourceTable& resources() const { return topology().resources(); }
  const Topology& topology() const { return *bands_.front().topology; }
  // The topology whose links carry a payload of `payload_bytes` (its by_size band).
  const Topology& topology_for(double payload_bytes) const;
  const Collective& collective() const { return *collective_; }
  int workers() const { return topology().workers(); }

 private:
  struct Band {
    double up_to_bytes;
    std::unique_ptr<Topology> topology;
  };

  std::unique_ptr<Collective> collective_;
  std::vector<Band> bands_;  // one per size band; one unbounded band without by_size
  std::map<std::pair<std::vector<int>, double>, std::shared_ptr<const CollectiveCost>> cache_;
  std::map<std::pair<std::vector<std::vector<int>>, double>, std::shared_ptr<const CollectiveCost>>
      exchange_cache_;
};

}  // namespace sgdsim
