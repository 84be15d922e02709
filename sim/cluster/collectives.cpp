#include "sim/cluster/collectives.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sgdsim {

double ring_allreduce_seconds(int workers, double payload_bytes, const Link& link) {
  const double n = workers;
  return 2.0 * (n - 1.0) * link.latency.seconds() +
         2.0 * (n - 1.0) / n * payload_bytes / link.bytes_per_second;
}

double parameter_server_seconds(int workers, double payload_bytes, const Link& link) {
  return 2.0 * (link.latency.seconds() + workers * payload_bytes / link.bytes_per_second);
}

namespace {

// Each phase is rounded to the nanosecond on its own and the total is their sum, so the trace's
// phases always tile the collective exactly.
class RingAllreduce final : public Collective {
 public:
  CollectiveCost cost(int workers, double payload_bytes, const Link& link) const override {
    const SimTime half =
        SimTime::from_seconds(ring_allreduce_seconds(workers, payload_bytes, link) / 2);
    return {half + half,
            2.0 * (workers - 1) * payload_bytes,
            {{"reduce_scatter", half}, {"all_gather", half}}};
  }
};

class ParameterServer final : public Collective {
 public:
  CollectiveCost cost(int workers, double payload_bytes, const Link& link) const override {
    const SimTime half =
        SimTime::from_seconds(parameter_server_seconds(workers, payload_bytes, link) / 2);
    return {half + half, 2.0 * workers * payload_bytes, {{"push", half}, {"pull", half}}};
  }
};

}  // namespace

const std::vector<CollectiveInfo>& collective_catalog() {
  static const std::vector<CollectiveInfo> catalog = {
      {"ring_allreduce", "bandwidth-optimal ring: 2(N-1)·α + 2(N-1)/N · S/B"},
      {"parameter_server",
       "push to and pull from one server whose link all workers share: 2·(α + N·S/B)"},
  };
  return catalog;
}

std::unique_ptr<Collective> make_collective(std::string_view name) {
  if (name == "ring_allreduce") return std::make_unique<RingAllreduce>();
  if (name == "parameter_server") return std::make_unique<ParameterServer>();
  std::string known;
  for (const auto& info : collective_catalog()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(fmt::format("unknown collective '{}'; known: {}", name, known));
}

}  // namespace sgdsim
