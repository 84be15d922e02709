// Drives an algorithm whose workers meet at barriers (PR-SGD and kin) through simulated time:
// each local step takes the compute model's time; a synchronisation starts when the last worker
// arrives, takes the collective's time, and then every worker resumes.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sim/algorithms/algorithm.hpp"
#include "sim/cluster/collectives.hpp"
#include "sim/cluster/compute_model.hpp"
#include "sim/cluster/network.hpp"
#include "sim/engine/engine.hpp"
#include "sim/run/run_observer.hpp"

namespace sgdsim {

enum class RunStatus { ok, diverged, interrupted };
const char* to_string(RunStatus status);

struct WorkerTimes {
  SimTime compute;
  SimTime communication;
  SimTime idle;  // waiting at barriers for slower workers
  std::int64_t steps = 0;
};

struct RunResult {
  RunStatus status = RunStatus::ok;
  std::int64_t diverged_step = -1;
  int diverged_worker = -1;  // -1: the averaged model, not one worker's
  SimTime sim_time;
  std::int64_t comm_rounds = 0;
  double bytes_sent = 0.0;
  std::vector<double> resource_bytes;  // bytes each network resource carried (Network::resources())
  std::vector<WorkerTimes> workers;
  std::optional<MetricsRow> last_metrics;
  std::uint64_t events = 0;
};

struct ClusterTiming {
  ComputeModel* compute = nullptr;
  Network* network = nullptr;
  double payload_bytes = 0.0;  // S of each synchronisation
};

class SynchronousRun {
 public:
  // eval_every 0: measure only at the start and the end.
  SynchronousRun(Algorithm& algorithm, ClusterTiming timing, std::int64_t eval_every,
                 RunObserver& observer, const std::atomic<bool>* stop_requested = nullptr);

  RunResult run();

 private:
  void start_step(int worker);
  void finish_step(int worker, SimTime started);
  void start_synchronization(std::int64_t step);
  void finish_synchronization(std::int64_t step, const CollectiveCost& cost);
  bool is_eval_step(std::int64_t step) const;
  void measure(std::int64_t step);
  bool stop_if_requested();

  Algorithm& algorithm_;
  ClusterTiming timing_;
  std::int64_t eval_every_;
  RunObserver& observer_;
  const std::atomic<bool>* stop_requested_;

  Engine engine_;
  RunResult result_;
  std::vector<std::int64_t> steps_done_;
  std::vector<SimTime> arrival_;
  int arrived_ = 0;
  std::vector<int> participants_;  // the workers that take part in rounds
  std::map<std::int64_t, int> snapshots_taken_;
};

}  // namespace sgdsim
