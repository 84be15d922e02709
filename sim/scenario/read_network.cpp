// The `network` section: topology and links, collective, payload and compression.
#include <fmt/format.h>

#include "sim/algorithms/registry.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/cluster/network.hpp"
#include "sim/cluster/topology.hpp"
#include "sim/scenario/section_readers.hpp"
#include "sim/scenario/units.hpp"

namespace sgdsim {
namespace {

constexpr std::int64_t kMaxWorkersPerNode = 1 << 20;

// {latency, bandwidth}; keys absent from the file keep `link`'s values unless `required`.
void read_link(yaml::Section s, Link& link, bool required) {
  if (auto v = s.duration("latency", required)) link.latency = *v;
  if (auto v = s.rate("bandwidth")) {
    link.bytes_per_second = *v;
  } else if (required && !s.has("bandwidth")) {
    s.error("bandwidth", "missing required key");
  }
  s.finish();
}

// network.by_size: [{up_to, latency, bandwidth}, ..., {latency, bandwidth}], up_to rising.
void read_size_bands(yaml::Section& s, NetworkSpec& n) {
  auto entries = s.sections("by_size", "{up_to, latency, bandwidth}");
  if (!entries) return;
  if (entries->empty()) s.error("by_size", "expected at least one {latency, bandwidth} band");
  n.by_size.clear();
  for (std::size_t i = 0; i < entries->size(); ++i) {
    yaml::Section& e = (*entries)[i];
    SizeBand band;
    if (i + 1 == entries->size()) {
      if (e.has("up_to")) {
        e.error("up_to", "the last band carries every larger payload: leave its up_to out");
      }
    } else if (auto v = e.size("up_to")) {
      band.up_to_bytes = *v;
      if (!n.by_size.empty() && !(*v > n.by_size.back().up_to_bytes)) {
        e.error("up_to", fmt::format("must exceed the previous band's up_to ({})",
                                     format_size(n.by_size.back().up_to_bytes)));
      }
    } else if (!e.has("up_to")) {
      e.error("up_to", "missing required key (every band but the last has one)");
    }
    read_link(e, band.link, true);
    n.by_size.push_back(band);
  }
}

}  // namespace

void read_network(yaml::Section s, NetworkSpec& n, int workers, AlgorithmKind algorithm_kind) {
  if (auto v = s.choice("topology", names_of(topology_catalog()))) n.topology = *v;
  const bool two_level = n.topology == "two_level";
  if (two_level) {
    for (const char* key : {"latency", "bandwidth"}) {
      if (s.has(key)) {
        s.error(key, fmt::format("{} applies to topologies switch and ring; a two_level cluster "
                                 "sets intra and inter",
                                 key));
      }
    }
    if (auto v = s.integer("workers_per_node", 1, kMaxWorkersPerNode, true)) {
      n.workers_per_node = static_cast<int>(*v);
      if (workers > 0 && workers % n.workers_per_node != 0) {
        s.error("workers_per_node", fmt::format("{} does not divide the {} workers into nodes",
                                                n.workers_per_node, workers));
      }
    }
    if (auto sub = s.section("intra", true)) read_link(*sub, n.intra, true);
    if (auto sub = s.section("inter", true)) read_link(*sub, n.inter, true);
    if (auto v = s.choice("nic", {"per_worker", "per_node"})) {
      n.nic = *v == "per_node" ? NicSharing::per_node : NicSharing::per_worker;
    }
    if (s.has("by_size")) s.error("by_size", "by_size applies to topologies switch and ring");
  } else {
    if (auto v = s.duration("latency")) n.link.latency = *v;
    if (auto v = s.rate("bandwidth")) n.link.bytes_per_second = *v;
    read_size_bands(s, n);
    if (s.has("by_size")) {
      for (const char* key : {"latency", "bandwidth"}) {
        if (s.has(key)) {
          s.error(key, fmt::format("by_size gives every size band its own {}: set it there", key));
        }
      }
    }
    for (const char* key : {"workers_per_node", "intra", "inter", "nic"}) {
      if (s.has(key)) s.error(key, fmt::format("{} applies to topology two_level only", key));
    }
  }

  if (!algorithm_info(algorithm_kind)
           .can.rounds) {  // no collective: pushes and pulls through a server
    if (s.has("collective") && !s.included("collective")) {  // a shared cluster file may say
      s.error("collective", fmt::format("not used by {}, whose workers push to and pull from a "
                                        "parameter server (set its link with network.server)",
                                        algorithm_name(algorithm_kind)));
    }
    n.collective = "parameter_server";
  } else if (auto v = s.choice("collective", names_of(collective_catalog()))) {
    n.collective = *v;
  }
  if (n.collective == "hierarchical" && !two_level) {
    s.error("collective", fmt::format("hierarchical needs topology two_level (nodes of "
                                      "workers_per_node workers), not {}",
                                      n.topology));
  }
  if (s.has("server")) {
    if (n.collective != "parameter_server") {
      s.error("server", "server applies to collective parameter_server only");
    } else if (auto sub = s.section("server")) {
      Link server = server_link(n);  // keys left out follow the worker (inter) link
      read_link(*sub, server, false);
      n.server = server;
    }
  }

  if (s.has("payload") && s.node()["payload"].IsScalar() &&
      s.node()["payload"].Scalar() == "auto") {
    s.text("payload");
    n.payload_bytes.reset();
  } else if (auto v = s.size("payload")) {
    n.payload_bytes = *v;
  }
  if (auto v = s.real("compression", 1.0, 1e6)) n.compression = *v;
  if (auto v = s.boolean("overlap")) n.overlap = *v;
  s.finish();
}

}  // namespace sgdsim
