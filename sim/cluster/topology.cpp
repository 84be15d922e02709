#include "sim/cluster/topology.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/cluster/network.hpp"

namespace sgdsim {

namespace {

std::unique_ptr<Topology> make_switch(const NetworkSpec& spec, int workers,
                                      const std::optional<Link>& server) {
  return std::make_unique<SwitchTopology>(workers, spec.link, server);
}

std::unique_ptr<Topology> make_two_level(const NetworkSpec& spec, int workers,
                                         const std::optional<Link>& server) {
  return std::make_unique<TwoLevelTopology>(workers, spec.workers_per_node, spec.intra, spec.inter,
                                            spec.nic, server);
}

std::unique_ptr<Topology> make_ring(const NetworkSpec& spec, int workers,
                                    const std::optional<Link>& server) {
  return std::make_unique<RingTopology>(workers, spec.link, server);
}

}  // namespace

const std::vector<TopologyInfo>& topology_catalog() {
  static const std::vector<TopologyInfo> catalog = {
      {"switch", "one full-bisection switch; each worker has a tx/rx port pair of (α, B)",
       make_switch},
      {"two_level", "nodes of g workers: intra-node links, and inter-node NICs per worker or node",
       make_two_level},
      {"ring", "a physical ring: worker i linked to i±1; messages take the shorter way around",
       make_ring},
  };
  return catalog;
}

int Topology::add_resources(int count, std::string group, double bytes_per_second,
                            ResourceTable::Namer name) {
  return resources_.append(count, std::move(group), bytes_per_second, std::move(name));
}

int Topology::add_server_ports(double bytes_per_second) {
  return add_resources(2, "server", bytes_per_second,
                       [](int i) { return std::string(i == 0 ? "server tx" : "server rx"); });
}

void Topology::check_endpoints(int src, int dst) const {
  const int endpoints = workers_ + (has_server_ ? 1 : 0);
  for (const int e : {src, dst}) {
    if (e < 0 || e >= endpoints) {
      throw std::out_of_range(fmt::format("endpoint {} outside 0..{}", e, endpoints - 1));
    }
  }
}

// Switch: worker w's ports are resources 2w (tx) and 2w+1 (rx); the server's follow.
SwitchTopology::SwitchTopology(int workers, Link worker, std::optional<Link> server)
    : Topology(workers, server.has_value()),
      worker_latency_(worker.latency),
      server_latency_(server ? server->latency : SimTime::zero()) {
  add_resources(2 * workers, "worker", worker.bytes_per_second,
                [](int i) { return fmt::format("worker {} {}", i / 2, i % 2 == 0 ? "tx" : "rx"); });
  if (server) add_server_ports(server->bytes_per_second);
}

Route SwitchTopology::route(int src, int dst) const {
  check_endpoints(src, dst);
  if (src == dst) return {};
  const bool via_server = src == server() || dst == server();
  return {via_server ? server_latency_ : worker_latency_, {2 * src, 2 * dst + 1}};
}

TwoLevelTopology::TwoLevelTopology(int workers, int workers_per_node, Link intra, Link inter,
                                   NicSharing nic, std::optional<Link> server)
    : Topology(workers, server.has_value()),
      per_node_(workers_per_node),
      nic_(nic),
      intra_latency_(intra.latency),
      inter_latency_(inter.latency),
      server_latency_(server ? server->latency : SimTime::zero()) {
  if (workers_per_node < 1 || workers % workers_per_node != 0) {
    throw std::invalid_argument(
        fmt::format("workers_per_node {} must be at least 1 and divide the {} workers",
                    workers_per_node, workers));
  }
  const auto port = [](int i) { return i % 2 == 0 ? "tx" : "rx"; };
  intra_base_ = add_resources(2 * workers, "intra", intra.bytes_per_second, [port](int i) {
    return fmt::format("worker {} intra {}", i / 2, port(i));
  });
  if (nic == NicSharing::per_worker) {
    nic_base_ = add_resources(2 * workers, "inter", inter.bytes_per_second, [port](int i) {
      return fmt::format("worker {} inter {}", i / 2, port(i));
    });
  } else {
    nic_base_ =
        add_resources(2 * (workers / workers_per_node), "inter", inter.bytes_per_second,
                      [port](int i) { return fmt::format("node {} nic {}", i / 2, port(i)); });
  }
  server_base_ = static_cast<int>(resources().size());
  if (server) add_server_ports(server->bytes_per_second);
}

int TwoLevelTopology::nic_tx(int worker) const {
  return nic_base_ + 2 * (nic_ == NicSharing::per_worker ? worker : worker / per_node_);
}

int TwoLevelTopology::nic_rx(int worker) const {
  return nic_tx(worker) + 1;
}

Route TwoLevelTopology::route(int src, int dst) const {
  check_endpoints(src, dst);
  if (src == dst) return {};
  if (src == server()) return {server_latency_, {server_base_, nic_rx(dst)}};
  if (dst == server()) return {server_latency_, {nic_tx(src), server_base_ + 1}};
  if (src / per_node_ == dst / per_node_) {
    return {intra_latency_, {intra_base_ + 2 * src, intra_base_ + 2 * dst + 1}};
  }
  return {inter_latency_, {nic_tx(src), nic_rx(dst)}};
}

// Ring: resource i is the link i→i+1 (mod N); for N ≥ 3, resource N+i is the link i+1→i (with
// two workers the two directions are already resources 0 and 1).
RingTopology::RingTopology(int workers, Link link, std::optional<Link> server)
    : Topology(workers, server.has_value()),
      link_latency_(link.latency),
      server_latency_(server ? server->latency : SimTime::zero()) {
  if (workers >= 2) {
    add_resources(workers, "ring", link.bytes_per_second,
                  [workers](int i) { return fmt::format("link {}→{}", i, (i + 1) % workers); });
  }
  if (workers >= 3) {
    add_resources(workers, "ring", link.bytes_per_second,
                  [workers](int i) { return fmt::format("link {}→{}", (i + 1) % workers, i); });
  }
  server_base_ = static_cast<int>(resources().size());
  if (server) add_server_ports(server->bytes_per_second);
}

int RingTopology::append_path(int a, int b, std::vector<int>& resources) const {
  const int n = workers();
  const int clockwise = ((b - a) % n + n) % n;
  const int counter = ((a - b) % n + n) % n;
  if (clockwise <= counter) {
    for (int k = 0; k < clockwise; ++k) resources.push_back((a + k) % n);
    return clockwise;
  }
  for (int k = 0; k < counter; ++k) {
    const int from = ((a - k) % n + n) % n;
    resources.push_back(n + (from - 1 + n) % n);  // the link from → from−1
  }
  return counter;
}

Route RingTopology::route(int src, int dst) const {
  check_endpoints(src, dst);
  Route r;
  if (src == dst) return r;
  if (src == server()) {
    r.resources.push_back(server_base_);
    const int hops = append_path(0, dst, r.resources);
    r.latency = server_latency_ + SimTime::from_ns(hops * link_latency_.ns());
    return r;
  }
  if (dst == server()) {
    const int hops = append_path(src, 0, r.resources);
    r.resources.push_back(server_base_ + 1);
    r.latency = server_latency_ + SimTime::from_ns(hops * link_latency_.ns());
    return r;
  }
  const int hops = append_path(src, dst, r.resources);
  r.latency = SimTime::from_ns(hops * link_latency_.ns());
  return r;
}

}  // namespace sgdsim
