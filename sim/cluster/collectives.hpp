// Collective operations that average the workers' models, each a closed-form α–β time on a link.
// Formulas and their sources: docs/timing-models.md.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/cluster/link.hpp"
#include "sim/engine/sim_time.hpp"

namespace sgdsim {

struct CollectivePhase {
  std::string name;
  SimTime duration;
};

struct CollectiveCost {
  SimTime duration;
  double bytes_sent = 0.0;  // over the whole network, all senders together
  std::vector<CollectivePhase> phases;
};

class Collective {
 public:
  virtual ~Collective() = default;
  // Time and traffic to average `payload_bytes` held by each of `workers` workers.
  virtual CollectiveCost cost(int workers, double payload_bytes, const Link& link) const = 0;
};

struct CollectiveInfo {
  std::string name;
  std::string description;
};

const std::vector<CollectiveInfo>& collective_catalog();
// Throws std::invalid_argument naming the known collectives when `name` is not one of them.
std::unique_ptr<Collective> make_collective(std::string_view name);

// Closed forms, exposed so tests and docs can state them independently of the classes.
// Ring: reduce-scatter then all-gather, 2(N−1) steps each moving S/N bytes per worker.
double ring_allreduce_seconds(int workers, double payload_bytes, const Link& link);
// Parameter server: every worker pushes S bytes through the server's one link, then pulls S back.
double parameter_server_seconds(int workers, double payload_bytes, const Link& link);

}  // namespace sgdsim
