// Parameter server: every participant pushes its S bytes to one server, which averages (in no
// simulated time), and then pulls S bytes back. All of them cross the server's one link, so its
// bandwidth is shared: the incast bottleneck.
#include <stdexcept>

#include "sim/cluster/collectives/builtin.hpp"

namespace sgdsim::collectives {
namespace {

class ParameterServer final : public Collective {
 public:
  bool needs_server() const override { return true; }

  void check_topology(const Topology& topology) const override {
    if (topology.server() < 0) {
      throw std::invalid_argument("the parameter_server collective needs a topology with a server");
    }
  }

  Schedule schedule(const std::vector<int>& participants, double payload_bytes,
                    const Topology& topology) const override {
    check_topology(topology);
    ScheduleStep push, pull;
    for (const int w : participants) {
      push.transfers.push_back({w, topology.server(), payload_bytes});
      pull.transfers.push_back({topology.server(), w, payload_bytes});
    }
    return {{"push", {push}}, {"pull", {pull}}};
  }
};

}  // namespace

std::unique_ptr<Collective> make_parameter_server() {
  return std::make_unique<ParameterServer>();
}

}  // namespace sgdsim::collectives
