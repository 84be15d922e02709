// SynchronousRun's accounting: the time each worker spent in every state, and the traffic of
// rounds.
#include "sim/run/synchronous_run.hpp"

namespace sgdsim {

// Time spent in a state that is still open when the run ends is accounted here, so that every
// worker's compute + communication + idle + down equals the simulated time.
void SynchronousRun::close_open_spans() {
  const SimTime now = engine_.now();
  for (int w = 0; w < algorithm_.workers(); ++w) {
    WorkerTimes& times = result_.workers[w];
    switch (state_[w]) {
      case State::arrived:
      case State::rejoining:
      case State::blocked:
        times.idle += now - since_[w];
        break;
      case State::down:
        result_.record_extras(w).down += now - since_[w];
        observer_.on_outage(w, since_[w], now);
        break;
      case State::computing:  // a step cut short by the end of the run (divergence, interrupt)
      case State::extra:
        times.compute += now - since_[w];
        break;
      case State::communicating:  // a round cut short; a finished one is counted already
        if (in_round_[w]) times.communication += now - since_[w];
        break;
    }
  }
}

void SynchronousRun::add_round_traffic(const CollectiveCost& cost) {
  add_traffic(cost);
  count_round(algorithm_.rounds().levels() - 1);
}

void SynchronousRun::count_round(int level) {
  ++result_.comm_rounds;
  ++result_.rounds_by_level[level];
}

void SynchronousRun::add_traffic(const CollectiveCost& cost) {
  result_.bytes_sent += cost.bytes_sent;
  if (result_.resource_bytes.empty()) {
    result_.resource_bytes.assign(timing_.network->resources().size(), 0.0);
  }
  for (const ResourceBytes& carried : cost.resource_bytes) {
    result_.resource_bytes[carried.resource] += carried.bytes;
  }
}

}  // namespace sgdsim
