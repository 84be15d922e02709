#include "sim/cluster/network.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace sgdsim {
namespace {

// Participant sets differ only when workers fail; a bound keeps a long run's cache small.
constexpr std::size_t kMaxCachedCosts = 256;

}  // namespace

double payload_on_wire(const NetworkSpec& spec, double auto_bytes) {
  return spec.payload_bytes.value_or(auto_bytes) / spec.compression;
}

Link server_link(const NetworkSpec& spec) {
  if (spec.server) return *spec.server;
  return spec.topology == "two_level" ? spec.inter : spec.link;
}

NetworkSpec spec_for_payload(const NetworkSpec& spec, double payload_bytes) {
  NetworkSpec banded = spec;
  for (const SizeBand& band : spec.by_size) {
    if (payload_bytes <= band.up_to_bytes) {
      banded.link = band.link;
      break;
    }
  }
  banded.by_size.clear();
  return banded;
}

std::unique_ptr<Topology> make_topology(const NetworkSpec& spec, int workers, bool with_server) {
  if (workers < 1) throw std::invalid_argument("a network needs at least one worker");
  const std::optional<Link> server =
      with_server ? std::optional<Link>(server_link(spec)) : std::nullopt;
  for (const auto& info : topology_catalog()) {
    if (info.name == spec.topology) return info.make(spec, workers, server);
  }
  std::string known;
  for (const auto& info : topology_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(
      fmt::format("unknown topology '{}'; known: {}", spec.topology, known));
}

Network::Network(const NetworkSpec& spec, int workers)
    : collective_(make_collective(spec.collective)) {
  if (!(spec.compression >= 1.0)) {
    throw std::invalid_argument(fmt::format("compression {} must be at least 1", spec.compression));
  }
  if (!spec.by_size.empty() && spec.topology == "two_level") {
    throw std::invalid_argument("by_size applies to topologies switch and ring, not two_level");
  }
  std::vector<SizeBand> bands = spec.by_size;
  if (bands.empty()) bands.push_back({std::numeric_limits<double>::infinity(), spec.link});
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const bool last = i + 1 == bands.size();
    if (last != std::isinf(bands[i].up_to_bytes) ||
        (i > 0 && !(bands[i].up_to_bytes > bands[i - 1].up_to_bytes))) {
      throw std::invalid_argument(
          "by_size bands must rise in up_to, and only the last may be unbounded");
    }
    NetworkSpec banded = spec_for_payload(spec, bands[i].up_to_bytes);
    bands_.push_back(
        {bands[i].up_to_bytes, make_topology(banded, workers, collective_->needs_server())});
    collective_->check_topology(*bands_.back().topology);
  }
}

const Topology& Network::topology_for(double payload_bytes) const {
  for (const Band& band : bands_) {
    if (payload_bytes <= band.up_to_bytes) return *band.topology;
  }
  return *bands_.back().topology;
}

std::shared_ptr<const CollectiveCost> Network::allreduce_cost(const std::vector<int>& participants,
                                                              double payload_bytes) {
  auto key = std::make_pair(participants, payload_bytes);
  if (const auto found = cache_.find(key); found != cache_.end()) return found->second;
  auto cost = std::make_shared<const CollectiveCost>(
      collective_cost(*collective_, participants, payload_bytes, topology_for(payload_bytes)));
  if (cache_.size() >= kMaxCachedCosts) cache_.clear();
  cache_.emplace(std::move(key), cost);
  return cost;
}

std::shared_ptr<const CollectiveCost> Network::neighbor_exchange_cost(
    const std::vector<std::vector<int>>& neighbors, double payload_bytes) {
  auto key = std::make_pair(neighbors, payload_bytes);
  if (const auto found = exchange_cache_.find(key); found != exchange_cache_.end()) {
    return found->second;
  }
  ScheduleStep step;
  for (int w = 0; w < static_cast<int>(neighbors.size()); ++w) {
    for (int peer : neighbors[w]) step.transfers.push_back({w, peer, payload_bytes});
  }
  SchedulePhase phase{"neighbor_exchange", {}};
  if (!step.transfers.empty()) phase.steps.push_back(std::move(step));
  auto cost = std::make_shared<const CollectiveCost>(
      evaluate_schedule({std::move(phase)}, topology_for(payload_bytes)));
  if (exchange_cache_.size() >= kMaxCachedCosts) exchange_cache_.clear();
  exchange_cache_.emplace(std::move(key), cost);
  return cost;
}

}  // namespace sgdsim
