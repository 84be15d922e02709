// Where bytes travel: endpoints (the workers, and a parameter server where a collective needs
// one) and directional resources (a NIC's transmit or receive port, one direction of a physical
// link), each with a bandwidth. A route from one endpoint to another has a latency and the
// resources it crosses. Definitions: docs/timing-models.md.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster/link.hpp"
#include "sim/cluster/resource_table.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct Route {
  SimTime latency;             // end to end, per message
  std::vector<int> resources;  // ids into Topology::resources(), each crossed once
};

class Topology;
struct NetworkSpec;

// One row of the topology table: name, description, and the factory of the topology for
// `workers` workers (with a parameter server behind `server`, when a collective needs one).
struct TopologyInfo {
  std::string name;
  std::string description;
  std::unique_ptr<Topology> (*make)(const NetworkSpec& spec, int workers,
                                    const std::optional<Link>& server) = nullptr;
};

// The names scenario files use for `network.topology`.
const std::vector<TopologyInfo>& topology_catalog();

class Topology {
 public:
  virtual ~Topology() = default;

  int workers() const { return workers_; }
  // The parameter server's endpoint id (it follows the workers', 0..N−1), or -1 without one.
  int server() const { return has_server_ ? workers_ : -1; }
  const ResourceTable& resources() const { return resources_; }

  // Endpoint ids: workers 0..N−1, then the server. A route from an endpoint to itself is empty.
  virtual Route route(int src, int dst) const = 0;
  // g of a two-level cluster, whose node k holds workers kg..kg+g−1; 0 where there are no nodes.
  virtual int workers_per_node() const { return 0; }

 protected:
  Topology(int workers, bool has_server) : workers_(workers), has_server_(has_server) {}
  // Appends `count` resources (ResourceTable::append); returns the first id.
  int add_resources(int count, std::string group, double bytes_per_second,
                    ResourceTable::Namer name);
  // The server's ports, "server tx" then "server rx"; returns the first id.
  int add_server_ports(double bytes_per_second);
  // Throws std::out_of_range for an id that is no endpoint.
  void check_endpoints(int src, int dst) const;

 private:
  int workers_;
  bool has_server_;
  ResourceTable resources_;
};

// One switch of full bisection bandwidth: each worker has a port pair (tx, rx) of `worker` link
// bandwidth, and any two workers talk with the link's latency α (end to end; the switch itself
// is no resource). The server, when present, hangs off the switch by its own `server` link.
class SwitchTopology final : public Topology {
 public:
  SwitchTopology(int workers, Link worker, std::optional<Link> server = std::nullopt);
  Route route(int src, int dst) const override;

 private:
  SimTime worker_latency_;
  SimTime server_latency_;
};

enum class NicSharing {
  per_worker,  // each worker has its own inter-node NIC (the default)
  per_node,    // the g workers of a node share one inter-node NIC
};

// Nodes of g consecutive workers. Workers of one node talk over `intra` links (a port pair per
// worker); workers of different nodes over `inter` links through their inter-node NICs. The
// server hangs off the inter-node network by its own link (default: the inter link).
class TwoLevelTopology final : public Topology {
 public:
  // Throws std::invalid_argument unless workers_per_node divides workers.
  TwoLevelTopology(int workers, int workers_per_node, Link intra, Link inter,
                   NicSharing nic = NicSharing::per_worker,
                   std::optional<Link> server = std::nullopt);
  Route route(int src, int dst) const override;
  int workers_per_node() const override { return per_node_; }

 private:
  int nic_tx(int worker) const;
  int nic_rx(int worker) const;

  int per_node_;
  NicSharing nic_;
  SimTime intra_latency_, inter_latency_, server_latency_;
  int intra_base_ = 0, nic_base_ = 0, server_base_ = 0;
};

// A physical ring: worker i is linked to i+1 (mod N) by a link of (α, B) in each direction. A
// message takes the shorter way around (clockwise on a tie), with latency hops·α, and uses every
// link direction on its path. The server is attached to worker 0 by its own link (default: the
// ring link), so a worker's message to it travels the ring to worker 0 first.
class RingTopology final : public Topology {
 public:
  RingTopology(int workers, Link link, std::optional<Link> server = std::nullopt);
  Route route(int src, int dst) const override;

 private:
  // Appends the ring links from worker a to worker b; returns the hop count.
  int append_path(int a, int b, std::vector<int>& resources) const;

  SimTime link_latency_;
  SimTime server_latency_;
  int server_base_ = 0;
};

}  // namespace sgdsim
