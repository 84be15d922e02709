#include "sim/cluster/collectives.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim {
namespace {

struct Entry {
  CollectiveInfo info;
  std::unique_ptr<Collective> (*make)();
};

// Descriptions give the time on a switch of per-worker links (α, B); docs/timing-models.md has
// the other topologies.
const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {{"ring_allreduce", "bandwidth-optimal ring: 2(N-1)·α + 2(N-1)/N · S/B"},
       collectives::make_ring_allreduce},
      {{"halving_doubling",
        "Rabenseifner: recursive halving + doubling, 2·log2(N)·α + 2(N-1)/N · S/B for N = 2^k"},
       collectives::make_halving_doubling},
      {{"binary_tree", "reduce up a binary tree, broadcast down: 2d·(α + 2S/B), depth d"},
       collectives::make_binary_tree},
      {{"hierarchical",
        "two_level only: intra-node binomial reduce, ring among node leaders, broadcast"},
       collectives::make_hierarchical},
      {{"parameter_server",
        "push to and pull from one server whose link all workers share: 2·(α + N·S/B)"},
       collectives::make_parameter_server},
  };
  return entries;
}

}  // namespace

const std::vector<CollectiveInfo>& collective_catalog() {
  static const std::vector<CollectiveInfo> catalog = [] {
    std::vector<CollectiveInfo> infos;
    for (const Entry& entry : registry()) infos.push_back(entry.info);
    return infos;
  }();
  return catalog;
}

std::unique_ptr<Collective> make_collective(std::string_view name) {
  for (const Entry& entry : registry()) {
    if (entry.info.name == name) return entry.make();
  }
  std::string known;
  for (const auto& info : collective_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(fmt::format("unknown collective '{}'; known: {}", name, known));
}

CollectiveCost collective_cost(const Collective& collective, const std::vector<int>& participants,
                               double payload_bytes, const Topology& topology) {
  for (std::size_t i = 0; i < participants.size(); ++i) {
    const int w = participants[i];
    if (w < 0 || w >= topology.workers() || (i > 0 && w <= participants[i - 1])) {
      throw std::invalid_argument(
          fmt::format("participants must be distinct worker ids in increasing order, within 0..{}",
                      topology.workers() - 1));
    }
  }
  collective.check_topology(topology);
  return evaluate_schedule(collective.schedule(participants, payload_bytes, topology), topology);
}

std::vector<int> all_workers(int workers) {
  std::vector<int> ids(static_cast<std::size_t>(std::max(workers, 0)));
  for (int w = 0; w < workers; ++w) ids[w] = w;
  return ids;
}

}  // namespace sgdsim
